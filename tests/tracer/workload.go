// workload.go - the static Go program the tracer tests run
// (CGO_ENABLED=0): as workload.c, from four goroutines and a child
// process (the program itself, run with "child"), in DIR, and binds a
// loopback port; with DENY, the denied calls too.  Output depends only on what the calls returned.
//
//	workload-go DIR [DENY]
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

func ops(dir, name string) error {
	d := filepath.Join(dir, name)
	if err := os.Mkdir(d, 0o755); err != nil {
		return err
	}
	f, g := filepath.Join(d, "f"), filepath.Join(d, "g")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(f, g); err != nil {
		return err
	}
	if err := os.Chmod(g, 0o600); err != nil {
		return err
	}
	return os.Remove(g)
}

func main() {
	if len(os.Args) < 2 {
		os.Exit(2)
	}
	dir := os.Args[1]
	if len(os.Args) > 2 && os.Args[2] == "child" {
		if ops(dir, "child") != nil {
			os.Exit(1)
		}
		return
	}
	bad := false
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if ops(dir, fmt.Sprintf("g%d", i)) != nil {
				mu.Lock()
				bad = true
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	if exec.Command(os.Args[0], dir, "child").Run() != nil {
		bad = true
	}
	l, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		bad = true
	} else {
		l.Close()
	}
	// an inet bind of a port the kernel chooses ("net" records)
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err != nil {
		bad = true
	} else {
		l.Close()
	}
	if len(os.Args) > 2 {
		// and one below 1024: refused to a user but root where
		// net.ipv4.ip_unprivileged_port_start is the kernel's 1024
		if l, err := net.Listen("tcp", "127.0.0.1:1023"); err == nil {
			l.Close()
		}
		err := os.Mkdir(filepath.Join(os.Args[2], "newdir"), 0o755)
		fmt.Println("mkdir denied:", err != nil)
		_, err = os.OpenFile(filepath.Join(os.Args[2], "newfile"),
			os.O_WRONLY|os.O_CREATE, 0o644)
		fmt.Println("create denied:", err != nil)
	}
	if bad {
		fmt.Println("workload: some calls failed")
		os.Exit(1)
	}
	fmt.Println("workload: ok")
}

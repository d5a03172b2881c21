// tests/check/tempname_job.go - a job that writes temporary names the way
// Go programs do, for tempname_integration.sh: os.MkdirTemp with a file
// inside, removed.  Built static (CGO_ENABLED=0), traced by unroot-ptrace.
package main

import (
	"os"
	"path/filepath"
)

func main() {
	d, err := os.MkdirTemp("", "build")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(d, "out.txt"), []byte("x\n"), 0o644); err != nil {
		panic(err)
	}
	if err := os.RemoveAll(d); err != nil {
		panic(err)
	}
}

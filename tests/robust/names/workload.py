# the workload of names.sh: adversarial names, a 200-level tree and a
# 4,095-byte path made by chdir and relative names; writes the paths it
# made, NUL-separated, to argv[2]
import os, sys
top = os.fsencode(sys.argv[1])
os.chdir(top)
made = []
# names a shell would misread, and invalid UTF-8
evil = [b"a b", b"it's \"q\"", b"new\nline", b"$(touch pwned)", b"`touch pwned`",
        b"bad\xff\xfe", b"semi;x&&y|z", b" lead", b"tab\there"]
for n in evil:
    os.mkdir(n)
    made.append(top + b"/" + n)
# 200 levels deep
os.mkdir(b"deep")
os.chdir(b"deep")
p = top + b"/deep"
made.append(p)
for i in range(200):
    os.mkdir(b"d")
    os.chdir(b"d")
    p += b"/d"
made.append(p)
os.chdir(top)
# a path of exactly PATH_MAX-1 = 4095 bytes, via chdir and relative names
os.mkdir(b"long")
os.chdir(b"long")
p = top + b"/long"
made.append(p)
while 4095 - len(p) > 256:
    n = b"L" * 200
    os.mkdir(n)
    os.chdir(n)
    p += b"/" + n
    made.append(p)
last = b"F" * (4095 - len(p) - 1)
fd = os.open(last, os.O_WRONLY | os.O_CREAT, 0o644)
os.close(fd)
p += b"/" + last
assert len(p) == 4095, len(p)
made.append(p)
with open(sys.argv[2], "wb") as f:
    f.write(b"\0".join(made))
print("made", len(made))

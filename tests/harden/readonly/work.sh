# read the input, write the result beside it (the mount is read-only)
cat /data/in.txt
echo done > /data/out.txt

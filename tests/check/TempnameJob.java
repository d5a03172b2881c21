// tests/check/TempnameJob.java - a job that writes temporary names the way
// Java programs do, for tempname_integration.sh: File.createTempFile in
// the temp directory (written, then deleted) and Files.createTempDirectory
// with a file inside, removed.
import java.io.File;
import java.io.FileWriter;
import java.nio.file.Files;
import java.nio.file.Path;

public class TempnameJob {
	public static void main(String[] args) throws Exception {
		File f = File.createTempFile("job", ".tmp");
		try (FileWriter w = new FileWriter(f)) {
			w.write("x\n");
		}
		f.delete();
		Path d = Files.createTempDirectory("work-");
		Path o = d.resolve("out.txt");
		Files.writeString(o, "x\n");
		Files.delete(o);
		Files.delete(d);
	}
}

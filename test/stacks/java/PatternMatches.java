// Reads lines "<base64 pattern>\t<base64 value>" on stdin and prints, for each, what java.util.regex says:
// "true" / "false" for Pattern.matches(pattern, value), or "error" when the pattern does not compile. The
// regex tests run it (java PatternMatches.java, JDK 11+) to prove their expectations are Java's.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

public class PatternMatches {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Base64.Decoder b64 = Base64.getDecoder();
    String line;
    while ((line = in.readLine()) != null) {
      String[] parts = line.split("\t", -1);
      String pattern = new String(b64.decode(parts[0]), StandardCharsets.UTF_8);
      String value = new String(b64.decode(parts[1]), StandardCharsets.UTF_8);
      try {
        System.out.println(Pattern.matches(pattern, value));
      } catch (PatternSyntaxException e) {
        System.out.println("error");
      }
    }
  }
}

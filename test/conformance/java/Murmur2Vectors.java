// Prints murmur2 test vectors computed by kafka-clients itself, as JSON on stdout.
// Run: scripts/gen-murmur2-vectors.sh (single-file launch with kafka-clients on the classpath).
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

public class Murmur2Vectors {
  private static final int[] PARTITIONS = {1, 3, 6, 7, 100};

  public static void main(String[] args) {
    List<byte[]> keys = new ArrayList<>();
    keys.add(new byte[0]);
    for (String s : new String[] {"a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh",
        "abcdefghi", "key", "key-0", "key-1", "user-12345", "order:987654321", "The quick brown fox jumps over the lazy dog",
        "héllo", "日本語のキー", "ключ", "emoji-\uD83D\uDE80\uD83C\uDF89", "\u0000nul"}) {
      keys.add(s.getBytes(StandardCharsets.UTF_8));
    }
    Random random = new Random(0x4b41464bL);
    for (int len : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 1000}) {
      byte[] b = new byte[len];
      random.nextBytes(b);
      keys.add(b);
    }
    for (int len : new int[] {1, 3, 4, 7}) {
      byte[] b = new byte[len];
      java.util.Arrays.fill(b, (byte) 0xff);
      keys.add(b);
    }
    StringBuilder out = new StringBuilder("[\n");
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      out.append("  {\"keyHex\": \"").append(hex(key)).append("\", \"murmur2\": ").append(Utils.murmur2(key))
          .append(", \"toPositive\": ").append(Utils.toPositive(Utils.murmur2(key))).append(", \"partitionFor\": {");
      for (int j = 0; j < PARTITIONS.length; j++) {
        if (j > 0) out.append(", ");
        out.append('"').append(PARTITIONS[j]).append("\": ").append(BuiltInPartitioner.partitionForKey(key, PARTITIONS[j]));
      }
      out.append("}}").append(i + 1 < keys.size() ? ",\n" : "\n");
    }
    out.append("]");
    System.out.println(out);
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) s.append(String.format("%02x", x & 0xff));
    return s.toString();
  }
}

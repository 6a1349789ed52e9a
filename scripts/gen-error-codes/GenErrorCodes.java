// Prints Kafka's error-code table as JSON, straight from the reference implementation.
//
// Run by scripts/gen-error-codes.sh as a single-file source program:
//   java -cp kafka-clients-<version>.jar GenErrorCodes.java
// Output: one JSON array, sorted by code, one object per line:
//   {"code":6,"name":"NOT_LEADER_OR_FOLLOWER","message":"...","retriable":true,"refreshMetadata":true}
// `message` is Errors.message() (null when Kafka has none); `retriable` and `refreshMetadata`
// are the instanceof checks the Java client itself uses (RetriableException,
// InvalidMetadataException).

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.errors.InvalidMetadataException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

public class GenErrorCodes {
  public static void main(String[] args) {
    List<Errors> all = Arrays.stream(Errors.values())
        .sorted(Comparator.comparingInt(Errors::code))
        .toList();
    StringBuilder out = new StringBuilder("[\n");
    for (int i = 0; i < all.size(); i++) {
      Errors e = all.get(i);
      Throwable ex = e.exception();
      out.append("{\"code\":").append(e.code())
          .append(",\"name\":").append(quote(e.name()))
          .append(",\"message\":").append(quote(e.message()))
          .append(",\"retriable\":").append(ex instanceof RetriableException)
          .append(",\"refreshMetadata\":").append(ex instanceof InvalidMetadataException)
          .append(i + 1 < all.size() ? "},\n" : "}\n");
    }
    out.append("]\n");
    System.out.print(out);
  }

  private static String quote(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}

// Golden RecordBatch v2 vectors built by kafka-clients' own MemoryRecordsBuilder, as JSON on stdout.
// Run: scripts/gen-record-batch-vectors.sh. For each case: the builder's options, the records
// appended (the "inputs"), the batch bytes, and the records as Java reads them back ("decoded").
//
// With the argument `read FILE` it instead reads FILE (lines "name hex") with MemoryRecords,
// validates every batch (CRC, sizes) and prints what it decoded, in the same JSON shape: that is
// how scripts/check-java-reads-batches.ts proves Java can read batches kafkawire writes.
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

public class RecordBatchVectors {
  record Input(long timestamp, byte[] key, byte[] value, Header[] headers, String valuePattern) {}

  static final long T0 = 1_700_000_000_000L;

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("read")) {
      read(Path.of(args[1]));
      return;
    }
    StringBuilder out = new StringBuilder("{\n  \"kafkaClients\": \"4.3.1\",\n  \"cases\": [\n");
    String[] codecs = {"none", "gzip", "snappy", "lz4", "zstd"};
    List<String> cases = new ArrayList<>();
    for (String codec : codecs) {
      Compression compression = compression(codec);
      cases.add(build(codec + "-basic", compression, TimestampType.CREATE_TIME, 0L, -1L, -1L, (short) -1, -1, false, -1, basicInputs()));
      cases.add(build(codec + "-one-null-record", compression, TimestampType.CREATE_TIME, 0L, -1L, -1L, (short) -1, -1, false, -1,
          List.of(new Input(T0, null, null, new Header[0], null))));
      // Large values only where they compress: a 170 KB "none" batch would bloat the fixture.
      if (compression != Compression.NONE) {
        cases.add(build(codec + "-large-values", compression, TimestampType.CREATE_TIME, 0L, -1L, -1L, (short) -1, -1, false, -1, largeInputs()));
      }
    }
    cases.add(build("none-idempotent-transactional", Compression.NONE, TimestampType.CREATE_TIME, 0L, -1L, 4242L, (short) 7, 123456, true, -1, basicInputs()));
    cases.add(build("zstd-idempotent", compression("zstd"), TimestampType.CREATE_TIME, 0L, -1L, 99L, (short) 0, 2147483000, false, -1, basicInputs()));
    cases.add(build("none-broker-assigned", Compression.NONE, TimestampType.CREATE_TIME, 1_234_567_890_123L, -1L, -1L, (short) -1, -1, false, 17, basicInputs()));
    cases.add(build("lz4-log-append-time", compression("lz4"), TimestampType.LOG_APPEND_TIME, 500L, T0 + 99_999L, -1L, (short) -1, -1, false, 3, basicInputs()));
    cases.add(build("gzip-many-records", compression("gzip"), TimestampType.CREATE_TIME, 0L, -1L, -1L, (short) -1, -1, false, -1, manyInputs(500)));
    cases.add(build("none-many-records", Compression.NONE, TimestampType.CREATE_TIME, 0L, -1L, -1L, (short) -1, -1, false, -1, manyInputs(300)));
    cases.add(control("control-commit", ControlRecordType.COMMIT));
    cases.add(control("control-abort", ControlRecordType.ABORT));
    out.append(String.join(",\n", cases)).append("\n  ]\n}");
    System.out.println(out);
  }

  static Compression compression(String codec) {
    return switch (codec) {
      case "none" -> Compression.NONE;
      case "gzip" -> Compression.gzip().build();
      case "snappy" -> Compression.snappy().build();
      case "lz4" -> Compression.lz4().build();
      case "zstd" -> Compression.zstd().build();
      default -> throw new IllegalArgumentException(codec);
    };
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<Input> basicInputs() {
    List<Input> in = new ArrayList<>();
    in.add(new Input(T0, utf8("key-0"), utf8("value-0"), new Header[0], null));
    in.add(new Input(T0 + 5, null, utf8("null key"), new Header[0], null));
    in.add(new Input(T0 + 7, utf8("null value"), null, new Header[0], null));
    in.add(new Input(T0 + 1, new byte[0], new byte[0], new Header[0], null));
    in.add(new Input(T0 - 3_600_000L, utf8("earlier timestamp"), utf8("negative delta"), new Header[0], null));
    in.add(new Input(T0 + 86_400_000L * 400, utf8("far"), utf8("large delta"), new Header[0], null));
    in.add(new Input(T0 + 9, utf8("headers"), utf8("with headers"), new Header[] {
        new RecordHeader("trace-id", utf8("abc123")),
        new RecordHeader("null-value", (byte[]) null),
        new RecordHeader("", new byte[0]),
        new RecordHeader("ключ-日本", utf8("unicode key")),
        new RecordHeader("trace-id", utf8("duplicate key"))}, null));
    in.add(new Input(T0 + 10, utf8("ключ"), utf8("значение \uD83D\uDE80"), new Header[0], null));
    byte[] binary = new byte[256];
    for (int i = 0; i < 256; i++) binary[i] = (byte) i;
    in.add(new Input(T0 + 11, binary, binary, new Header[] {new RecordHeader("bin", binary)}, null));
    return in;
  }

  // Values over 64 KiB (several lz4 blocks, several snappy-java chunks) with a fixed pattern.
  static List<Input> largeInputs() {
    List<Input> in = new ArrayList<>();
    in.add(new Input(T0, utf8("big-1"), pattern(100_000, 1), new Header[0], "100000:1"));
    in.add(new Input(T0 + 1, utf8("big-2"), pattern(70_001, 2), new Header[0], "70001:2"));
    in.add(new Input(T0 + 2, utf8("small"), utf8("x"), new Header[0], null));
    return in;
  }

  static List<Input> manyInputs(int n) {
    List<Input> in = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      in.add(new Input(T0 + i, utf8("k" + i), utf8("record number " + i + " " + "v".repeat(i % 50)),
          i % 10 == 0 ? new Header[] {new RecordHeader("i", utf8(Integer.toString(i)))} : new Header[0], null));
    }
    return in;
  }

  // byte i = (i * 31 + seed) % 251: compressible, but not trivially.
  static byte[] pattern(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) b[i] = (byte) ((i * 31L + seed) % 251);
    return b;
  }

  static String build(String name, Compression compression, TimestampType timestampType, long baseOffset, long logAppendTime,
      long producerId, short producerEpoch, int baseSequence, boolean transactional, int partitionLeaderEpoch, List<Input> inputs) {
    ByteBuffer buffer = ByteBuffer.allocate(1024);
    MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.MAGIC_VALUE_V2, compression, timestampType, baseOffset,
        logAppendTime, producerId, producerEpoch, baseSequence, transactional, partitionLeaderEpoch);
    for (Input in : inputs) builder.append(in.timestamp, in.key, in.value, in.headers);
    MemoryRecords records = builder.build();
    StringBuilder s = new StringBuilder("    {\n");
    s.append("      \"name\": \"").append(name).append("\",\n");
    s.append("      \"options\": {\"compression\": ").append(compression.type().id)
        .append(", \"timestampType\": ").append(timestampType == TimestampType.LOG_APPEND_TIME ? 1 : 0)
        .append(", \"logAppendTime\": ").append(logAppendTime)
        .append(", \"baseOffset\": \"").append(baseOffset).append("\", \"producerId\": \"").append(producerId)
        .append("\", \"producerEpoch\": ").append(producerEpoch).append(", \"baseSequence\": ").append(baseSequence)
        .append(", \"isTransactional\": ").append(transactional).append(", \"partitionLeaderEpoch\": ").append(partitionLeaderEpoch)
        .append("},\n");
    s.append("      \"inputs\": [\n");
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      s.append("        {\"timestamp\": ").append(in.timestamp).append(", \"keyHex\": ").append(hexOrNull(in.key));
      if (in.valuePattern != null) s.append(", \"valuePattern\": \"").append(in.valuePattern).append('"');
      else s.append(", \"valueHex\": ").append(hexOrNull(in.value));
      s.append(", \"headers\": ").append(headers(in.headers)).append('}').append(i + 1 < inputs.size() ? ",\n" : "\n");
    }
    s.append("      ],\n");
    s.append(describe(records.buffer()));
    s.append("    }");
    return s.toString();
  }

  static String control(String name, ControlRecordType type) {
    MemoryRecords records = MemoryRecords.withEndTransactionMarker(77L, T0 + 42, 5, 4242L, (short) 3,
        new EndTransactionMarker(type, 11));
    return "    {\n      \"name\": \"" + name + "\",\n      \"controlType\": " + type.type() + ",\n" + describe(records.buffer()) + "    }";
  }

  // "hex" and "batches" (what Java reads back) of a buffer of batches.
  static String describe(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes));
    StringBuilder s = new StringBuilder();
    s.append("      \"hex\": \"").append(hex(bytes)).append("\",\n");
    s.append("      \"batches\": [\n");
    boolean firstBatch = true;
    for (MutableRecordBatch batch : records.batches()) {
      batch.ensureValid();
      if (!firstBatch) s.append(",\n");
      firstBatch = false;
      s.append("        {\"baseOffset\": \"").append(batch.baseOffset()).append("\", \"lastOffset\": \"").append(batch.lastOffset())
          .append("\", \"sizeInBytes\": ").append(batch.sizeInBytes())
          .append(", \"crc\": ").append(batch.checksum()).append(", \"compression\": ").append(batch.compressionType().id)
          .append(", \"timestampType\": ").append(batch.timestampType() == TimestampType.LOG_APPEND_TIME ? 1 : 0)
          .append(", \"isTransactional\": ").append(batch.isTransactional()).append(", \"isControl\": ").append(batch.isControlBatch())
          .append(", \"partitionLeaderEpoch\": ").append(batch.partitionLeaderEpoch())
          .append(", \"maxTimestamp\": ").append(batch.maxTimestamp())
          .append(", \"producerId\": \"").append(batch.producerId()).append("\", \"producerEpoch\": ").append(batch.producerEpoch())
          .append(", \"baseSequence\": ").append(batch.baseSequence()).append(", \"recordCount\": ").append(batch.countOrNull())
          .append(",\n         \"records\": [\n");
      boolean firstRecord = true;
      for (Record r : batch) {
        if (!firstRecord) s.append(",\n");
        firstRecord = false;
        byte[] key = r.hasKey() ? toBytes(r.key()) : null;
        byte[] value = r.hasValue() ? toBytes(r.value()) : null;
        s.append("           {\"offset\": \"").append(r.offset()).append("\", \"timestamp\": ").append(r.timestamp())
            .append(", \"keyHex\": ").append(hexOrNull(key))
            .append(value != null && value.length > 4096 ? ", \"valueSha256\": \"" + sha256(value) + "\"" : ", \"valueHex\": " + hexOrNull(value))
            .append(", \"headers\": ").append(headers(r.headers())).append('}');
      }
      s.append("\n         ]}");
    }
    s.append("\n      ]\n");
    return s.toString();
  }

  static void read(Path file) throws Exception {
    List<String> cases = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) continue;
      String[] parts = line.split(" ", 2);
      byte[] bytes = unhex(parts[1].trim());
      cases.add("    {\n      \"name\": \"" + parts[0] + "\",\n" + describe(ByteBuffer.wrap(bytes)) + "    }");
    }
    System.out.println("{\n  \"cases\": [\n" + String.join(",\n", cases) + "\n  ]\n}");
  }

  static byte[] toBytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  static String headers(Header[] headers) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < headers.length; i++) {
      if (i > 0) s.append(", ");
      s.append("{\"keyHex\": \"").append(hex(utf8(headers[i].key()))).append("\", \"valueHex\": ").append(hexOrNull(headers[i].value())).append('}');
    }
    return s.append(']').toString();
  }

  static String hexOrNull(byte[] b) {
    return b == null ? "null" : "\"" + hex(b) + "\"";
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder(b.length * 2);
    for (byte x : b) {
      s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return s.toString();
  }

  static byte[] unhex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    return out;
  }

  static String sha256(byte[] b) throws RuntimeException {
    try {
      return hex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new RuntimeException(e);
    }
  }
}

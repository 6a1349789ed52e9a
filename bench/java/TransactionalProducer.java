/*
 * The Java peer of the transactional case: transactions of a fixed number of records, as the
 * KafkaProducer javadoc's transactional example writes them (initTransactions once, then
 * beginTransaction, send without waiting, commitTransaction), the same loop the Node clients run
 * (bench/lib/child.ts, inTransactions). ProducerPerformance commits by time only
 * (--transaction-duration-ms), which at 5 ms made transactions of about 3,300 records here, not
 * 1,000: its numbers were not the same work.
 *
 * Run as a single-file program (java -cp 'libs/*' TransactionalProducer.java ...), no build step.
 * Args: bootstrap topic records perTransaction payloadFile transactionalId key=value...
 * Prints the ProducerPerformance summary line (bench/lib/java.ts reads it); latency fields are 0
 * (not measured here). Exits 1 if any record or transaction failed.
 */
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class TransactionalProducer {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    long records = Long.parseLong(args[2]);
    int perTxn = Integer.parseInt(args[3]);
    String[] lines = Files.readString(Path.of(args[4]), StandardCharsets.ISO_8859_1).split("\n");
    byte[][] payloads = new byte[lines.length][];
    for (int i = 0; i < lines.length; i++) payloads[i] = lines[i].getBytes(StandardCharsets.ISO_8859_1);
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("transactional.id", args[5]);
    for (int i = 6; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    AtomicLong failed = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      // One transaction of one record first, outside the measurement, as the Node clients do.
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, payloads[0]));
      producer.commitTransaction();
      long started = System.nanoTime();
      long sent = 0;
      while (sent < records) {
        long n = Math.min(perTxn, records - sent);
        producer.beginTransaction();
        for (long i = 0; i < n; i++) {
          byte[] value = payloads[(int) ((sent + i) % payloads.length)];
          producer.send(new ProducerRecord<>(topic, value), (md, err) -> {
            if (err != null) failed.incrementAndGet();
          });
        }
        producer.commitTransaction();
        sent += n;
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long ok = records - failed.get();
      double perSec = ok / seconds;
      double mbPerSec = perSec * payloads[0].length / (1024.0 * 1024.0);
      System.out.printf(
          "%d records sent, %.6f records/sec (%.2f MB/sec), 0.00 ms avg latency, 0.00 ms max latency, 0 ms 50th, 0 ms 95th, 0 ms 99th, 0 ms 99.9th.%n",
          ok, perSec, mbPerSec);
    }
    System.exit(failed.get() == 0 ? 0 : 1);
  }
}

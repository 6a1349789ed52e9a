/*
 * Golden vectors from the reference implementation: builds representative messages with Kafka's
 * own generated classes (org.apache.kafka.common.message.*Data), serialises each at every version
 * kafkawire implements, and writes one fixture per API into <outdir> (api-versions.json,
 * metadata.json, headers.json). test/conformance/golden.test.ts checks src/protocol against them.
 *
 * Each vector is { name, kind, version, hex, json }: `hex` is the body exactly as
 * `message.write(accessor, cache, version)` puts it on the wire (no size prefix, no header) and
 * `json` is `XxxDataJsonConverter.write(message, version)`, i.e. only what that version carries.
 * Header vectors add apiKey/apiVersion and use Kafka's own ApiKeys.requestHeaderVersion /
 * responseHeaderVersion. Output is deterministic: fixed ids and values, insertion order throughout.
 *
 * Java drops an ignorable field a version lacks, but throws UnsupportedVersionException for a
 * non-ignorable one set to a non-default value (MetadataRequest.AllowAutoTopicCreation before v4,
 * MetadataResponse.TopicAuthorizedOperations before v8, ...): those are set only from the version
 * that has them, mirroring the schema's "versions".
 *
 * Usage (Java 17+): java -cp "<kafka-clients>:<slf4j-api>:<jackson-*>" GoldenVectors.java <outdir>
 * Normally run through scripts/gen-golden-vectors.sh.
 */
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestDataJsonConverter;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseDataJsonConverter;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataRequestDataJsonConverter;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.message.MetadataResponseDataJsonConverter;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.RequestHeaderDataJsonConverter;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.ResponseHeaderDataJsonConverter;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.utils.AppInfoParser;

public class GoldenVectors {
  /** The version ranges src/protocol/apis implements (golden.test.ts fails if a module outgrows them). */
  static final short API_VERSIONS_MIN = 0, API_VERSIONS_MAX = 4;
  static final short METADATA_MIN = 0, METADATA_MAX = 12;

  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Fixed topic ids; ORDERS_ID's text form has both base64url-only characters ('-' and '_'). */
  static final Uuid ORDERS_ID = new Uuid(0xFBEF0123456789ABL, 0xCDEFFEDCBA987654L);
  static final Uuid OFFSETS_ID = new Uuid(0x0123456789ABCDEFL, 0x0FEDCBA987654321L);
  static final Uuid UNKNOWN_ID = new Uuid(0x7A7A7A7A7A7A7A7AL, 0x1111111111111111L);

  record Vector(String name, String kind, short version, byte[] bytes, JsonNode json, ApiKeys api, short apiVersion,
      JsonNode unknownTaggedFields) {}

  /**
   * Unknown tagged fields planted in a message, as a newer peer might send them (Java writes them,
   * its JSON leaves them out), listed with the path of the struct that carries them.
   */
  static final class Planted {
    final ArrayNode list = MAPPER.createArrayNode();

    Planted add(List<RawTaggedField> into, String path, int tag, String hex) {
      into.add(new RawTaggedField(tag, HexFormat.of().parseHex(hex)));
      list.addObject().put("path", path).put("tag", tag).put("hex", hex);
      return this;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) throw new IllegalArgumentException("usage: GoldenVectors <outdir>");
    Path out = Path.of(args[0]);
    Files.createDirectories(out);

    List<Vector> apiVersions = new ArrayList<>();
    for (short v : versions(ApiKeys.API_VERSIONS, API_VERSIONS_MIN, API_VERSIONS_MAX)) {
      apiVersions.addAll(apiVersionsRequests(v));
      apiVersions.addAll(apiVersionsResponses(v));
    }
    List<Vector> metadata = new ArrayList<>();
    for (short v : versions(ApiKeys.METADATA, METADATA_MIN, METADATA_MAX)) {
      metadata.addAll(metadataRequests(v));
      metadata.addAll(metadataResponses(v));
    }

    write(out.resolve("api-versions.json"), "ApiVersions", ApiKeys.API_VERSIONS, apiVersions);
    write(out.resolve("metadata.json"), "Metadata", ApiKeys.METADATA, metadata);
    write(out.resolve("headers.json"), "RequestHeader/ResponseHeader", null, headers());
  }

  /** Our range clipped to what this Kafka's generated classes accept. */
  static List<Short> versions(ApiKeys api, short ourMin, short ourMax) {
    List<Short> out = new ArrayList<>();
    for (short v = (short) Math.max(ourMin, api.oldestVersion()); v <= Math.min(ourMax, api.latestVersion()); v++) {
      out.add(v);
    }
    return out;
  }

  static List<Vector> apiVersionsRequests(short v) {
    List<Vector> out = new ArrayList<>();
    // v0-v2 have an empty body: the ignorable client software fields are dropped.
    out.add(apiVersionsRequest("kafkawire client", v,
        new ApiVersionsRequestData().setClientSoftwareName("kafkawire").setClientSoftwareVersion("0.1.0")));
    if (v >= 3) {
      // compact string lengths count UTF-8 bytes, not UTF-16 units
      out.add(apiVersionsRequest("non-ASCII software name", v,
          new ApiVersionsRequestData().setClientSoftwareName("kafkawire-é").setClientSoftwareVersion("1.0.0-ß")));
    }
    return out;
  }

  static Vector apiVersionsRequest(String name, short v, ApiVersionsRequestData m) {
    return vector(name, "request", v, m, ApiVersionsRequestDataJsonConverter::write, ApiVersionsRequestData::new);
  }

  static List<Vector> apiVersionsResponses(short v) {
    List<Vector> out = new ArrayList<>();
    out.add(apiVersionsResponse("broker with features", v, brokerWithFeatures(), null));
    if (v >= 3) {
      ApiVersionsResponseData m = brokerWithFeatures();
      Planted planted = new Planted()
          .add(m.apiKeys().find((short) 1).unknownTaggedFields(), "apiKeys[1]", 0, "0102")
          .add(m.supportedFeatures().find("metadata.version").unknownTaggedFields(), "supportedFeatures[0]", 0, "")
          .add(m.finalizedFeatures().find("kraft.version").unknownTaggedFields(), "finalizedFeatures[1]", 5, "ff")
          .add(m.unknownTaggedFields(), "", 7, "6b61666b61");
      out.add(apiVersionsResponse("unknown tagged fields from a newer broker", v, m, planted));
    }

    ApiVersionCollection oneKey = new ApiVersionCollection();
    oneKey.add(apiVersion(3, 0, 12));
    out.add(apiVersionsResponse("throttled, finalized epoch beyond 2^53", v, new ApiVersionsResponseData()
        .setErrorCode((short) 0)
        .setApiKeys(oneKey)
        .setThrottleTimeMs(1500)
        .setFinalizedFeaturesEpoch(9007199254740993L), null));

    // KIP-511: a broker that does not know the requested version answers with its own range.
    ApiVersionCollection self = new ApiVersionCollection();
    self.add(apiVersion(18, 0, 4));
    out.add(apiVersionsResponse("UNSUPPORTED_VERSION with the broker's ApiVersions range", v,
        new ApiVersionsResponseData().setErrorCode((short) 35).setApiKeys(self), null));
    return out;
  }

  static ApiVersionsResponseData brokerWithFeatures() {
    ApiVersionCollection keys = new ApiVersionCollection();
    keys.add(apiVersion(0, 3, 13));
    keys.add(apiVersion(1, 4, 18));
    keys.add(apiVersion(3, 0, 13));
    keys.add(apiVersion(18, 0, 4));
    keys.add(apiVersion(19, 2, 7));
    SupportedFeatureKeyCollection supported = new SupportedFeatureKeyCollection();
    supported.add(new SupportedFeatureKey().setName("metadata.version").setMinVersion((short) 7).setMaxVersion((short) 29));
    supported.add(new SupportedFeatureKey().setName("kraft.version").setMinVersion((short) 0).setMaxVersion((short) 1));
    FinalizedFeatureKeyCollection finalized = new FinalizedFeatureKeyCollection();
    finalized.add(new FinalizedFeatureKey().setName("metadata.version").setMaxVersionLevel((short) 29).setMinVersionLevel((short) 29));
    finalized.add(new FinalizedFeatureKey().setName("kraft.version").setMaxVersionLevel((short) 1).setMinVersionLevel((short) 1));
    return new ApiVersionsResponseData()
        .setErrorCode((short) 0)
        .setApiKeys(keys)
        .setThrottleTimeMs(0)
        .setSupportedFeatures(supported)
        .setFinalizedFeaturesEpoch(42L)
        .setFinalizedFeatures(finalized)
        .setZkMigrationReady(true);
  }

  static ApiVersion apiVersion(int key, int min, int max) {
    return new ApiVersion().setApiKey((short) key).setMinVersion((short) min).setMaxVersion((short) max);
  }

  static Vector apiVersionsResponse(String name, short v, ApiVersionsResponseData m, Planted planted) {
    return vector(name, "response", v, m, ApiVersionsResponseDataJsonConverter::write, ApiVersionsResponseData::new, planted);
  }

  static List<Vector> metadataRequests(short v) {
    List<Vector> out = new ArrayList<>();
    // v0 has no null array: an empty one means "all topics" there.
    out.add(metadataRequest("all topics", v, new MetadataRequestData().setTopics(v == 0 ? new ArrayList<>() : null)));
    out.add(metadataRequest("two named topics", v, new MetadataRequestData().setTopics(named("orders", "payments"))));
    if (v >= 1) {
      MetadataRequestData none = new MetadataRequestData().setTopics(new ArrayList<>());
      if (v >= 4) none.setAllowAutoTopicCreation(false);
      out.add(metadataRequest("no topics, brokers only", v, none));
    }
    if (v >= 4) {
      out.add(metadataRequest("two named topics without auto-create", v,
          new MetadataRequestData().setTopics(named("orders", "payments")).setAllowAutoTopicCreation(false)));
    }
    if (v >= 8) {
      MetadataRequestData ops = new MetadataRequestData().setTopics(named("orders")).setIncludeTopicAuthorizedOperations(true);
      if (v <= 10) ops.setIncludeClusterAuthorizedOperations(true);
      out.add(metadataRequest("authorized operations requested", v, ops));
    }
    if (v >= 10) {
      // Encodable from v10, though only v12 brokers look topics up by id.
      List<MetadataRequestTopic> byId = new ArrayList<>();
      byId.add(new MetadataRequestTopic().setTopicId(ORDERS_ID).setName(null));
      byId.add(new MetadataRequestTopic().setTopicId(OFFSETS_ID).setName(null));
      out.add(metadataRequest("two topics by id, null names", v,
          new MetadataRequestData().setTopics(byId).setAllowAutoTopicCreation(false)));
    }
    return out;
  }

  static List<MetadataRequestTopic> named(String... names) {
    List<MetadataRequestTopic> out = new ArrayList<>();
    for (String n : names) out.add(new MetadataRequestTopic().setName(n));
    return out;
  }

  static Vector metadataRequest(String name, short v, MetadataRequestData m) {
    return vector(name, "request", v, m, MetadataRequestDataJsonConverter::write, MetadataRequestData::new);
  }

  static List<Vector> metadataResponses(short v) {
    List<Vector> out = new ArrayList<>();
    out.add(metadataResponse("three brokers, two topics and an unknown topic", v, cluster(v), null));
    if (v >= 9) {
      MetadataResponseData m = cluster(v);
      Planted planted = new Planted()
          .add(m.brokers().find(1).unknownTaggedFields(), "brokers[0]", 3, "00")
          .add(m.topics().find("orders").partitions().get(1).unknownTaggedFields(), "topics[0].partitions[1]", 4, "abcdef")
          .add(m.topics().find("__consumer_offsets").unknownTaggedFields(), "topics[1]", 2, "")
          .add(m.unknownTaggedFields(), "", 5, "0102030405060708090a");
      out.add(metadataResponse("unknown tagged fields from a newer broker", v, m, planted));
    }

    MetadataResponseBrokerCollection one = new MetadataResponseBrokerCollection();
    one.add(new MetadataResponseBroker().setNodeId(0).setHost("localhost").setPort(9092));
    out.add(metadataResponse("one broker, no cluster id, no controller, no topics", v, new MetadataResponseData()
        .setBrokers(one)
        .setClusterId(null)
        .setControllerId(-1), null));

    if (v >= 12) {
      MetadataResponseTopicCollection unknown = new MetadataResponseTopicCollection();
      // UNKNOWN_TOPIC_ID: asked for by id, so no name
      unknown.add(new MetadataResponseTopic().setErrorCode((short) 100).setName(null).setTopicId(UNKNOWN_ID));
      out.add(metadataResponse("unknown topic id, null name", v, new MetadataResponseData()
          .setBrokers(one.duplicate())
          .setClusterId("MkU3OEVBNTcwNTJENDM2Qk")
          .setControllerId(0)
          .setTopics(unknown), null));
    }
    return out;
  }

  /** Three brokers (one without rack), two topics with ids, partitions in several states, an error topic. */
  static MetadataResponseData cluster(short v) {
    MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
    brokers.add(new MetadataResponseBroker().setNodeId(1).setHost("broker-1.kafka.internal").setPort(9092).setRack("eu-west-1a"));
    brokers.add(new MetadataResponseBroker().setNodeId(2).setHost("broker-2.kafka.internal").setPort(9093).setRack(null));
    brokers.add(new MetadataResponseBroker().setNodeId(3).setHost("10.0.0.3").setPort(19092).setRack("eu-west-1c"));

    MetadataResponseTopicCollection topics = new MetadataResponseTopicCollection();
    MetadataResponseTopic orders = new MetadataResponseTopic()
        .setErrorCode((short) 0)
        .setName("orders")
        .setTopicId(ORDERS_ID)
        .setIsInternal(false);
    orders.partitions().add(partition(0, 0, 1, 5, List.of(1, 2, 3), List.of(1, 2), List.of(3)));
    orders.partitions().add(partition(1, 0, 2, 7, List.of(2, 3, 1), List.of(2, 3, 1), List.of()));
    // LEADER_NOT_AVAILABLE: no leader, empty ISR
    orders.partitions().add(partition(2, 5, -1, 3, List.of(3), List.of(), List.of(3)));
    if (v >= 8) orders.setTopicAuthorizedOperations(ops(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS));
    topics.add(orders);
    MetadataResponseTopic offsets = new MetadataResponseTopic()
        .setErrorCode((short) 0)
        .setName("__consumer_offsets")
        .setTopicId(OFFSETS_ID)
        .setIsInternal(true);
    offsets.partitions().add(partition(0, 0, 3, 0, List.of(3), List.of(3), List.of()));
    if (v >= 8) offsets.setTopicAuthorizedOperations(ops(AclOperation.DESCRIBE));
    topics.add(offsets);
    // UNKNOWN_TOPIC_OR_PARTITION: asked for by name, so no topic id
    topics.add(new MetadataResponseTopic().setErrorCode((short) 3).setName("missing").setTopicId(Uuid.ZERO_UUID));

    MetadataResponseData cluster = new MetadataResponseData()
        .setThrottleTimeMs(20)
        .setBrokers(brokers)
        .setClusterId("MkU3OEVBNTcwNTJENDM2Qk")
        .setControllerId(2)
        .setTopics(topics);
    if (v >= 8 && v <= 10) {
      cluster.setClusterAuthorizedOperations(ops(AclOperation.DESCRIBE, AclOperation.CLUSTER_ACTION, AclOperation.IDEMPOTENT_WRITE));
    }
    return cluster;
  }

  /** The KIP-430 bit field: bit n set for the operation whose code is n. */
  static int ops(AclOperation... granted) {
    int bits = 0;
    for (AclOperation op : granted) bits |= 1 << op.code();
    return bits;
  }

  static MetadataResponsePartition partition(int index, int error, int leader, int epoch,
      List<Integer> replicas, List<Integer> isr, List<Integer> offline) {
    return new MetadataResponsePartition()
        .setErrorCode((short) error)
        .setPartitionIndex(index)
        .setLeaderId(leader)
        .setLeaderEpoch(epoch)
        .setReplicaNodes(new ArrayList<>(replicas))
        .setIsrNodes(new ArrayList<>(isr))
        .setOfflineReplicas(new ArrayList<>(offline));
  }

  static Vector metadataResponse(String name, short v, MetadataResponseData m, Planted planted) {
    return vector(name, "response", v, m, MetadataResponseDataJsonConverter::write, MetadataResponseData::new, planted);
  }

  /** Request and response headers, at the header version Kafka picks for each API version. */
  static List<Vector> headers() {
    List<Vector> out = new ArrayList<>();
    int correlationId = 1;
    for (ApiKeys api : List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA)) {
      boolean av = api == ApiKeys.API_VERSIONS;
      for (short v : versions(api, av ? API_VERSIONS_MIN : METADATA_MIN, av ? API_VERSIONS_MAX : METADATA_MAX)) {
        out.add(requestHeader(api.name + " v" + v, api, v, correlationId, "kafkawire"));
        out.add(responseHeader(api.name + " v" + v, api, v, correlationId));
        correlationId++;
      }
    }
    out.add(requestHeader("null client id, non-flexible", ApiKeys.METADATA, (short) 8, 0, null));
    out.add(requestHeader("null client id, flexible", ApiKeys.METADATA, (short) 12, 0, null));
    out.add(requestHeader("empty client id", ApiKeys.METADATA, (short) 12, 7, ""));
    out.add(requestHeader("non-ASCII client id, max correlation id", ApiKeys.API_VERSIONS, (short) 3, Integer.MAX_VALUE, "kafkawire-ü"));
    out.add(requestHeader("negative correlation id", ApiKeys.METADATA, (short) 9, -2, "kafkawire"));
    out.add(responseHeader("max correlation id", ApiKeys.METADATA, (short) 12, Integer.MAX_VALUE));
    return out;
  }

  static Vector requestHeader(String name, ApiKeys api, short v, int correlationId, String clientId) {
    RequestHeaderData h = new RequestHeaderData()
        .setRequestApiKey(api.id)
        .setRequestApiVersion(v)
        .setCorrelationId(correlationId)
        .setClientId(clientId);
    Vector body = vector(name, "requestHeader", api.requestHeaderVersion(v), h,
        RequestHeaderDataJsonConverter::write, RequestHeaderData::new);
    return new Vector(body.name, body.kind, body.version, body.bytes, body.json, api, v, null);
  }

  static Vector responseHeader(String name, ApiKeys api, short v, int correlationId) {
    ResponseHeaderData h = new ResponseHeaderData().setCorrelationId(correlationId);
    Vector body = vector(name, "responseHeader", api.responseHeaderVersion(v), h,
        ResponseHeaderDataJsonConverter::write, ResponseHeaderData::new);
    return new Vector(body.name, body.kind, body.version, body.bytes, body.json, api, v, null);
  }

  /**
   * Serialises `m` at `v` the way the client's NetworkClient does (size, then write into one
   * buffer), and checks that reading the bytes back yields the same JSON: the JSON then describes
   * the bytes and nothing else.
   */
  static <T extends Message> Vector vector(String name, String kind, short v, T m,
      BiFunction<T, Short, JsonNode> toJson, BiFunction<Readable, Short, T> read) {
    return vector(name, kind, v, m, toJson, read, null);
  }

  static <T extends Message> Vector vector(String name, String kind, short v, T m,
      BiFunction<T, Short, JsonNode> toJson, BiFunction<Readable, Short, T> read, Planted planted) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    int size = m.size(cache, v);
    ByteBuffer buf = ByteBuffer.allocate(size);
    m.write(new ByteBufferAccessor(buf), cache, v);
    if (buf.hasRemaining()) throw new IllegalStateException(name + " v" + v + ": wrote less than size()");
    byte[] bytes = buf.array();
    JsonNode json = toJson.apply(m, v);

    ByteBuffer in = ByteBuffer.wrap(bytes);
    JsonNode back = toJson.apply(read.apply(new ByteBufferAccessor(in), v), v);
    if (in.hasRemaining()) throw new IllegalStateException(name + " v" + v + ": read back less than written");
    if (!back.equals(json)) {
      throw new IllegalStateException(name + " v" + v + ": read back " + back + " but wrote " + json);
    }
    return new Vector(name, kind, v, bytes, json, null, (short) -1, planted == null ? null : planted.list);
  }

  static void write(Path file, String apiName, ApiKeys api, List<Vector> vectors) throws Exception {
    StringBuilder sb = new StringBuilder();
    sb.append("{\n");
    sb.append("  \"generator\": \"test/conformance/java/GoldenVectors.java (scripts/gen-golden-vectors.sh)\",\n");
    sb.append("  \"kafka\": ").append(MAPPER.writeValueAsString(AppInfoParser.getVersion())).append(",\n");
    sb.append("  \"api\": ").append(MAPPER.writeValueAsString(apiName)).append(",\n");
    if (api != null) {
      sb.append("  \"apiKey\": ").append(api.id).append(",\n");
      sb.append("  \"javaVersions\": [").append(api.oldestVersion()).append(", ").append(api.latestVersion()).append("],\n");
    }
    sb.append("  \"vectors\": [\n");
    for (int i = 0; i < vectors.size(); i++) {
      Vector x = vectors.get(i);
      ObjectNode n = MAPPER.createObjectNode();
      n.put("name", x.name);
      n.put("kind", x.kind);
      n.put("version", x.version);
      if (x.api != null) {
        n.put("apiKey", x.api.id);
        n.put("apiVersion", x.apiVersion);
      }
      n.put("hex", HexFormat.of().formatHex(x.bytes));
      n.set("json", x.json);
      if (x.unknownTaggedFields != null) n.set("unknownTaggedFields", x.unknownTaggedFields);
      sb.append("    ").append(MAPPER.writeValueAsString(n)).append(i < vectors.size() - 1 ? ",\n" : "\n");
    }
    sb.append("  ]\n}\n");
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    System.out.println("wrote " + file + " (" + vectors.size() + " vectors)");
  }
}

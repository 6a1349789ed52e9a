/*
 * Golden vectors from the reference implementation: builds representative messages with Kafka's
 * own generated classes (org.apache.kafka.common.message.*Data), serialises each at every version
 * kafkawire implements, and writes one fixture per API into <outdir> (produce.json, fetch.json,
 * list-offsets.json, metadata.json, api-versions.json, create-topics.json, init-producer-id.json,
 * headers.json). test/conformance/golden.test.ts checks src/protocol against them.
 *
 * Each vector is { name, kind, version, hex, json }: `hex` is the body exactly as
 * `message.write(accessor, cache, version)` puts it on the wire (no size prefix, no header) and
 * `json` is `XxxDataJsonConverter.write(message, version)`, i.e. only what that version carries.
 * Header vectors add apiKey/apiVersion and use Kafka's own ApiKeys.requestHeaderVersion /
 * responseHeaderVersion. Output is deterministic: fixed ids and values, insertion order throughout.
 *
 * `records` fields (Produce requests, Fetch responses) are the exception: the converter writes
 * them as "" whatever they hold, so the real bytes are put back into the JSON as base64, like
 * `bytes` fields (putRecords).
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
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsRequestDataJsonConverter;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.CreateTopicsResponseDataJsonConverter;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchRequestDataJsonConverter;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.FetchResponseDataJsonConverter;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestDataJsonConverter;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseDataJsonConverter;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsRequestDataJsonConverter;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.message.ListOffsetsResponseDataJsonConverter;
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
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestDataJsonConverter;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.ProduceResponseDataJsonConverter;
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
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.AppInfoParser;

public class GoldenVectors {
  /** The version ranges src/protocol/apis implements (golden.test.ts fails if a module outgrows them). */
  static final short API_VERSIONS_MIN = 0, API_VERSIONS_MAX = 4;
  static final short METADATA_MIN = 0, METADATA_MAX = 12;
  static final short PRODUCE_MIN = 3, PRODUCE_MAX = 11;
  static final short FETCH_MIN = 4, FETCH_MAX = 17;
  static final short LIST_OFFSETS_MIN = 1, LIST_OFFSETS_MAX = 10;
  static final short CREATE_TOPICS_MIN = 2, CREATE_TOPICS_MAX = 7;
  static final short INIT_PRODUCER_ID_MIN = 0, INIT_PRODUCER_ID_MAX = 5;

  /** Our version range per API, for the header vectors. */
  static final Map<ApiKeys, short[]> RANGES = Map.of(
      ApiKeys.PRODUCE, new short[] {PRODUCE_MIN, PRODUCE_MAX},
      ApiKeys.FETCH, new short[] {FETCH_MIN, FETCH_MAX},
      ApiKeys.LIST_OFFSETS, new short[] {LIST_OFFSETS_MIN, LIST_OFFSETS_MAX},
      ApiKeys.METADATA, new short[] {METADATA_MIN, METADATA_MAX},
      ApiKeys.API_VERSIONS, new short[] {API_VERSIONS_MIN, API_VERSIONS_MAX},
      ApiKeys.CREATE_TOPICS, new short[] {CREATE_TOPICS_MIN, CREATE_TOPICS_MAX},
      ApiKeys.INIT_PRODUCER_ID, new short[] {INIT_PRODUCER_ID_MIN, INIT_PRODUCER_ID_MAX});

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

    List<Vector> produce = new ArrayList<>();
    for (short v : versions(ApiKeys.PRODUCE, PRODUCE_MIN, PRODUCE_MAX)) {
      produce.addAll(ProduceVectors.requests(v));
      produce.addAll(ProduceVectors.responses(v));
    }
    List<Vector> fetch = new ArrayList<>();
    for (short v : versions(ApiKeys.FETCH, FETCH_MIN, FETCH_MAX)) {
      fetch.addAll(FetchVectors.requests(v));
      fetch.addAll(FetchVectors.responses(v));
    }
    List<Vector> listOffsets = new ArrayList<>();
    for (short v : versions(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_MIN, LIST_OFFSETS_MAX)) {
      listOffsets.addAll(ListOffsetsVectors.requests(v));
      listOffsets.addAll(ListOffsetsVectors.responses(v));
    }
    List<Vector> createTopics = new ArrayList<>();
    for (short v : versions(ApiKeys.CREATE_TOPICS, CREATE_TOPICS_MIN, CREATE_TOPICS_MAX)) {
      createTopics.addAll(CreateTopicsVectors.requests(v));
      createTopics.addAll(CreateTopicsVectors.responses(v));
    }
    List<Vector> initProducerId = new ArrayList<>();
    for (short v : versions(ApiKeys.INIT_PRODUCER_ID, INIT_PRODUCER_ID_MIN, INIT_PRODUCER_ID_MAX)) {
      initProducerId.addAll(InitProducerIdVectors.requests(v));
      initProducerId.addAll(InitProducerIdVectors.responses(v));
    }

    write(out.resolve("produce.json"), "Produce", ApiKeys.PRODUCE, produce);
    write(out.resolve("fetch.json"), "Fetch", ApiKeys.FETCH, fetch);
    write(out.resolve("list-offsets.json"), "ListOffsets", ApiKeys.LIST_OFFSETS, listOffsets);
    write(out.resolve("api-versions.json"), "ApiVersions", ApiKeys.API_VERSIONS, apiVersions);
    write(out.resolve("metadata.json"), "Metadata", ApiKeys.METADATA, metadata);
    write(out.resolve("create-topics.json"), "CreateTopics", ApiKeys.CREATE_TOPICS, createTopics);
    write(out.resolve("init-producer-id.json"), "InitProducerId", ApiKeys.INIT_PRODUCER_ID, initProducerId);
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

  /** A RecordBatch v2 as the Java producer writes it (no compression, offsets from `baseOffset`). */
  static MemoryRecords batch(long baseOffset, SimpleRecord... records) {
    return MemoryRecords.withRecords(baseOffset, Compression.NONE, records);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A record with a key, a value and a header; a null value is a tombstone. */
  static SimpleRecord record(long timestamp, String key, String value, Header... headers) {
    return new SimpleRecord(timestamp, key == null ? null : utf8(key), value == null ? null : utf8(value), headers);
  }

  /**
   * Replaces each non-null "records" in `json` (depth first, in field order, which is the
   * message's order) with the bytes of the next of `records`, as a BinaryNode (base64 text).
   */
  static void putRecords(JsonNode json, List<BaseRecords> records) {
    int[] next = {0};
    putRecords(json, records, next);
    if (next[0] != records.size()) throw new IllegalStateException("records fields and values do not match");
  }

  static void putRecords(JsonNode json, List<BaseRecords> records, int[] next) {
    if (json.isArray()) {
      for (JsonNode e : json) putRecords(e, records, next);
    } else if (json.isObject()) {
      ObjectNode o = (ObjectNode) json;
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode value = o.get(name);
        if (name.equals("records") && !value.isNull()) {
          ByteBuffer buf = ((MemoryRecords) records.get(next[0]++)).buffer().duplicate();
          byte[] bytes = new byte[buf.remaining()];
          buf.get(bytes);
          o.set(name, new BinaryNode(bytes));
        } else {
          putRecords(value, records, next);
        }
      }
    }
  }

  /** Produce (key 0): requests carry record batches, responses per-partition outcomes. */
  static final class ProduceVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      ProduceRequestData twoTopics = new ProduceRequestData().setTransactionalId(null).setAcks((short) -1).setTimeoutMs(30000);
      TopicProduceData orders = new TopicProduceData().setName("orders");
      orders.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(batch(0L,
          record(1700000000000L, "k1", "v1", new RecordHeader("trace", utf8("abc"))),
          record(1700000000001L, null, "no key"))));
      orders.partitionData().add(new PartitionProduceData().setIndex(1).setRecords(batch(0L,
          record(1700000000002L, "k2", null))));
      twoTopics.topicData().add(orders);
      TopicProduceData payments = new TopicProduceData().setName("payments");
      payments.partitionData().add(new PartitionProduceData().setIndex(3).setRecords(batch(0L,
          record(1700000000003L, "é", "ß"))));
      payments.partitionData().add(new PartitionProduceData().setIndex(4).setRecords(null));
      twoTopics.topicData().add(payments);
      out.add(request("two topics, two partitions each, acks all", v, twoTopics));

      ProduceRequestData txn = new ProduceRequestData().setTransactionalId("txn-1").setAcks((short) 1).setTimeoutMs(1500);
      TopicProduceData t = new TopicProduceData().setName("orders");
      t.partitionData().add(new PartitionProduceData().setIndex(2).setRecords(batch(0L, record(1L, "k", "v"))));
      txn.topicData().add(t);
      out.add(request("transactional id, acks 1", v, txn));
      return out;
    }

    static Vector request(String name, short v, ProduceRequestData m) {
      Vector x = vector(name, "request", v, m, ProduceRequestDataJsonConverter::write, ProduceRequestData::new);
      List<BaseRecords> records = new ArrayList<>();
      for (TopicProduceData t : m.topicData()) {
        for (PartitionProduceData p : t.partitionData()) if (p.records() != null) records.add(p.records());
      }
      putRecords(x.json(), records);
      return x;
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("errors, log append time, record errors, current leader", v, outcomes(v), null));
      if (v >= 9) {
        ProduceResponseData m = outcomes(v);
        TopicProduceResponse orders = m.responses().iterator().next();
        Planted planted = new Planted()
            .add(orders.partitionResponses().get(0).unknownTaggedFields(), "responses[0].partitionResponses[0]", 7, "0102")
            .add(orders.unknownTaggedFields(), "responses[0]", 1, "")
            .add(m.unknownTaggedFields(), "", 9, "ff");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(response("throttled, no topics", v, new ProduceResponseData().setThrottleTimeMs(250), null));
      return out;
    }

    static ProduceResponseData outcomes(short v) {
      ProduceResponseData m = new ProduceResponseData().setThrottleTimeMs(0);
      TopicProduceResponse orders = new TopicProduceResponse().setName("orders");
      orders.partitionResponses().add(new PartitionProduceResponse().setIndex(0).setErrorCode((short) 0)
          .setBaseOffset(100).setLogAppendTimeMs(-1).setLogStartOffset(0));
      // NOT_LEADER_OR_FOLLOWER: from v10 the broker names the new leader (KIP-951)
      PartitionProduceResponse moved = new PartitionProduceResponse().setIndex(1).setErrorCode((short) 6)
          .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
      if (v >= 10) moved.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(8));
      orders.partitionResponses().add(moved);
      m.responses().add(orders);
      TopicProduceResponse payments = new TopicProduceResponse().setName("payments");
      // LogAppendTime topic, offset beyond 2^53
      payments.partitionResponses().add(new PartitionProduceResponse().setIndex(3).setErrorCode((short) 0)
          .setBaseOffset(9007199254740993L).setLogAppendTimeMs(1700000000123L).setLogStartOffset(42));
      // INVALID_RECORD with per-record errors (KIP-467)
      PartitionProduceResponse invalid = new PartitionProduceResponse().setIndex(4).setErrorCode((short) 87)
          .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
      if (v >= 8) {
        List<BatchIndexAndErrorMessage> errors = new ArrayList<>();
        errors.add(new BatchIndexAndErrorMessage().setBatchIndex(0).setBatchIndexErrorMessage("Compacted topic cannot accept message without key"));
        errors.add(new BatchIndexAndErrorMessage().setBatchIndex(2).setBatchIndexErrorMessage(null));
        invalid.setRecordErrors(errors).setErrorMessage("One or more records have been rejected");
      }
      payments.partitionResponses().add(invalid);
      m.responses().add(payments);
      if (v >= 10) {
        m.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint().setNodeId(2).setHost("broker-2.kafka.internal").setPort(9093).setRack(null));
        m.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint().setNodeId(3).setHost("10.0.0.3").setPort(19092).setRack("eu-west-1c"));
      }
      return m;
    }

    static Vector response(String name, short v, ProduceResponseData m, Planted planted) {
      return vector(name, "response", v, m, ProduceResponseDataJsonConverter::write, ProduceResponseData::new, planted);
    }
  }

  /** Fetch (key 1): consumer and follower requests, responses with record batches. */
  static final class FetchVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      FetchRequestData consumer = new FetchRequestData()
          .setMaxWaitMs(500).setMinBytes(1).setMaxBytes(52428800).setIsolationLevel((byte) 1)
          .setRackId("eu-west-1a");
      FetchTopic orders = new FetchTopic().setTopic("orders").setTopicId(ORDERS_ID);
      orders.partitions().add(fetchPartition(v, 0, 5, 100, 1048576));
      orders.partitions().add(fetchPartition(v, 1, 5, 9007199254740993L, 1048576));
      consumer.topics().add(orders);
      FetchTopic offsets = new FetchTopic().setTopic("__consumer_offsets").setTopicId(OFFSETS_ID);
      offsets.partitions().add(fetchPartition(v, 0, -1, 0, 65536));
      consumer.topics().add(offsets);
      out.add(request("consumer, read committed, two topics", v, consumer));

      out.add(request("read uncommitted, no topics", v, new FetchRequestData().setMaxWaitMs(0).setMinBytes(0)));

      if (v >= 7) {
        // KIP-227: an incremental fetch adds one partition and forgets others
        FetchRequestData session = new FetchRequestData()
            .setMaxWaitMs(500).setMinBytes(1).setSessionId(123456).setSessionEpoch(7);
        FetchTopic t = new FetchTopic().setTopic("orders").setTopicId(ORDERS_ID);
        t.partitions().add(fetchPartition(v, 2, 6, 77, 1048576));
        session.topics().add(t);
        session.forgottenTopicsData().add(new ForgottenTopic().setTopic("orders").setTopicId(ORDERS_ID).setPartitions(new ArrayList<>(List.of(0, 1))));
        session.forgottenTopicsData().add(new ForgottenTopic().setTopic("__consumer_offsets").setTopicId(OFFSETS_ID).setPartitions(new ArrayList<>(List.of(0))));
        out.add(request("incremental fetch session with forgotten topics", v, session));
      }
      if (v >= 12) {
        FetchRequestData follower = new FetchRequestData()
            .setClusterId("MkU3OEVBNTcwNTJENDM2Qk").setMaxWaitMs(500).setMinBytes(1).setSessionEpoch(0);
        if (v <= 14) follower.setReplicaId(2);
        else follower.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(2).setReplicaEpoch(9));
        FetchTopic t = new FetchTopic().setTopic("orders").setTopicId(ORDERS_ID);
        FetchPartition p = fetchPartition(v, 0, 5, 100, 1048576).setLastFetchedEpoch(4).setLogStartOffset(10);
        if (v >= 17) p.setReplicaDirectoryId(UNKNOWN_ID);
        t.partitions().add(p);
        follower.topics().add(t);
        out.add(request("follower with cluster id, replica state, last fetched epoch", v, follower));
      }
      return out;
    }

    /** lastFetchedEpoch (v12+) is not ignorable: it is left at its default before. */
    static FetchPartition fetchPartition(short v, int partition, int leaderEpoch, long offset, int maxBytes) {
      FetchPartition p = new FetchPartition().setPartition(partition).setCurrentLeaderEpoch(leaderEpoch)
          .setFetchOffset(offset).setPartitionMaxBytes(maxBytes);
      if (v >= 12) p.setLastFetchedEpoch(leaderEpoch >= 0 ? leaderEpoch - 1 : -1);
      return p;
    }

    static Vector request(String name, short v, FetchRequestData m) {
      return vector(name, "request", v, m, FetchRequestDataJsonConverter::write, FetchRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("records, aborted transactions, an error", v, data(v), null));
      if (v >= 12) {
        FetchResponseData m = data(v);
        Planted planted = new Planted()
            .add(m.responses().get(0).partitions().get(0).unknownTaggedFields(), "responses[0].partitions[0]", 9, "00")
            .add(m.responses().get(0).partitions().get(2).abortedTransactions().get(0).unknownTaggedFields(), "responses[0].partitions[2].abortedTransactions[0]", 0, "abcd")
            .add(m.responses().get(0).unknownTaggedFields(), "responses[0]", 3, "")
            .add(m.unknownTaggedFields(), "", 5, "0102030405");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));

        FetchResponseData diverging = new FetchResponseData().setSessionId(0);
        FetchableTopicResponse t = new FetchableTopicResponse().setTopic("orders").setTopicId(ORDERS_ID);
        t.partitions().add(new PartitionData().setPartitionIndex(0).setHighWatermark(120).setLastStableOffset(120).setLogStartOffset(0)
            .setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(3).setEndOffset(90))
            .setAbortedTransactions(null).setRecords(MemoryRecords.EMPTY));
        // OFFSET_OUT_OF_RANGE below the log start: fetch a snapshot (KIP-630)
        t.partitions().add(new PartitionData().setPartitionIndex(1).setErrorCode((short) 1).setHighWatermark(300).setLastStableOffset(300).setLogStartOffset(200)
            .setSnapshotId(new FetchResponseData.SnapshotId().setEndOffset(200).setEpoch(2))
            .setAbortedTransactions(null).setRecords(null));
        diverging.responses().add(t);
        out.add(response("diverging epoch and snapshot id", v, diverging, null));
      }
      if (v >= 7) {
        // FETCH_SESSION_ID_NOT_FOUND: a top-level error, no partitions
        out.add(response("fetch session not found", v, new FetchResponseData().setThrottleTimeMs(0).setErrorCode((short) 70).setSessionId(0), null));
      }
      return out;
    }

    static FetchResponseData data(short v) {
      FetchResponseData m = new FetchResponseData().setThrottleTimeMs(5).setSessionId(v >= 7 ? 123456 : 0);
      FetchableTopicResponse orders = new FetchableTopicResponse().setTopic("orders").setTopicId(ORDERS_ID);
      PartitionData p0 = new PartitionData().setPartitionIndex(0).setErrorCode((short) 0)
          .setHighWatermark(103).setLastStableOffset(103).setLogStartOffset(0)
          .setAbortedTransactions(new ArrayList<>())
          .setRecords(batch(100L,
              record(1700000000000L, "k1", "v1", new RecordHeader("trace", utf8("abc")), new RecordHeader("empty", null)),
              record(1700000000005L, null, "no key"),
              record(1700000000009L, "k3", null)));
      if (v >= 11) p0.setPreferredReadReplica(3);
      orders.partitions().add(p0);
      // NOT_LEADER_OR_FOLLOWER: from v12 the broker names the new leader (KIP-951)
      PartitionData moved = new PartitionData().setPartitionIndex(1).setErrorCode((short) 6)
          .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
          .setAbortedTransactions(null).setRecords(MemoryRecords.EMPTY);
      if (v >= 12) moved.setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(8));
      orders.partitions().add(moved);
      // read committed: two aborted transactions, offsets beyond 2^53
      List<AbortedTransaction> aborted = new ArrayList<>();
      aborted.add(new AbortedTransaction().setProducerId(1000).setFirstOffset(9007199254740993L));
      aborted.add(new AbortedTransaction().setProducerId(9007199254740995L).setFirstOffset(9007199254740994L));
      orders.partitions().add(new PartitionData().setPartitionIndex(2).setErrorCode((short) 0)
          .setHighWatermark(9007199254741000L).setLastStableOffset(9007199254740993L).setLogStartOffset(1)
          .setAbortedTransactions(aborted).setRecords(batch(9007199254740996L, record(5L, "k", "v"))));
      m.responses().add(orders);
      FetchableTopicResponse offsets = new FetchableTopicResponse().setTopic("__consumer_offsets").setTopicId(OFFSETS_ID);
      offsets.partitions().add(new PartitionData().setPartitionIndex(0).setHighWatermark(0).setLastStableOffset(0).setLogStartOffset(0)
          .setAbortedTransactions(null).setRecords(null));
      m.responses().add(offsets);
      if (v >= 16) {
        m.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(2).setHost("broker-2.kafka.internal").setPort(9093).setRack(null));
        m.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(3).setHost("10.0.0.3").setPort(19092).setRack("eu-west-1c"));
      }
      return m;
    }

    static Vector response(String name, short v, FetchResponseData m, Planted planted) {
      Vector x = vector(name, "response", v, m, FetchResponseDataJsonConverter::write, FetchResponseData::new, planted);
      List<BaseRecords> records = new ArrayList<>();
      for (FetchableTopicResponse t : m.responses()) {
        for (PartitionData p : t.partitions()) if (p.records() != null) records.add(p.records());
      }
      putRecords(x.json(), records);
      return x;
    }
  }

  /** ListOffsets (key 2): special timestamps, each from the version that brought it. */
  static final class ListOffsetsVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      ListOffsetsRequestData m = new ListOffsetsRequestData().setReplicaId(-1).setTimeoutMs(30000);
      ListOffsetsTopic orders = new ListOffsetsTopic().setName("orders");
      orders.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setCurrentLeaderEpoch(5).setTimestamp(-1));
      orders.partitions().add(new ListOffsetsPartition().setPartitionIndex(1).setTimestamp(-2));
      m.topics().add(orders);
      ListOffsetsTopic payments = new ListOffsetsTopic().setName("payments");
      payments.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(1700000000000L));
      m.topics().add(payments);
      out.add(request("latest, earliest and by time", v, m));
      if (v >= 2) {
        ListOffsetsRequestData committed = new ListOffsetsRequestData().setReplicaId(-1).setIsolationLevel((byte) 1);
        ListOffsetsTopic t = new ListOffsetsTopic().setName("orders");
        t.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1));
        committed.topics().add(t);
        out.add(request("read committed latest (the LSO)", v, committed));
      }
      if (v >= 7) {
        ListOffsetsRequestData special = new ListOffsetsRequestData().setReplicaId(-1).setTimeoutMs(1000);
        ListOffsetsTopic t = new ListOffsetsTopic().setName("orders");
        t.partitions().add(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-3));
        if (v >= 8) t.partitions().add(new ListOffsetsPartition().setPartitionIndex(1).setTimestamp(-4));
        if (v >= 9) t.partitions().add(new ListOffsetsPartition().setPartitionIndex(2).setTimestamp(-5));
        special.topics().add(t);
        out.add(request("max timestamp, earliest local, latest tiered", v, special));
      }
      return out;
    }

    static Vector request(String name, short v, ListOffsetsRequestData m) {
      return vector(name, "request", v, m, ListOffsetsRequestDataJsonConverter::write, ListOffsetsRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("offsets, an error and leader epochs", v, offsets(v), null));
      if (v >= 6) {
        ListOffsetsResponseData m = offsets(v);
        Planted planted = new Planted()
            .add(m.topics().get(0).partitions().get(0).unknownTaggedFields(), "topics[0].partitions[0]", 4, "0a0b")
            .add(m.unknownTaggedFields(), "", 0, "");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static ListOffsetsResponseData offsets(short v) {
      ListOffsetsResponseData m = new ListOffsetsResponseData().setThrottleTimeMs(10);
      ListOffsetsTopicResponse orders = new ListOffsetsTopicResponse().setName("orders");
      orders.partitions().add(offset(v, 0, 0, -1, 110, 5));
      // NOT_LEADER_OR_FOLLOWER
      orders.partitions().add(offset(v, 1, 6, -1, -1, -1));
      m.topics().add(orders);
      ListOffsetsTopicResponse payments = new ListOffsetsTopicResponse().setName("payments");
      payments.partitions().add(offset(v, 0, 0, 1700000000123L, 9007199254740993L, 2));
      m.topics().add(payments);
      return m;
    }

    /** leaderEpoch (v4+) is not ignorable: it is left at its default before. */
    static ListOffsetsPartitionResponse offset(short v, int partition, int error, long timestamp, long offset, int epoch) {
      ListOffsetsPartitionResponse p = new ListOffsetsPartitionResponse().setPartitionIndex(partition)
          .setErrorCode((short) error).setTimestamp(timestamp).setOffset(offset);
      if (v >= 4) p.setLeaderEpoch(epoch);
      return p;
    }

    static Vector response(String name, short v, ListOffsetsResponseData m, Planted planted) {
      return vector(name, "response", v, m, ListOffsetsResponseDataJsonConverter::write, ListOffsetsResponseData::new, planted);
    }
  }

  /** CreateTopics (key 19). */
  static final class CreateTopicsVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      CreateTopicsRequestData m = new CreateTopicsRequestData().setTimeoutMs(30000).setValidateOnly(false);
      m.topics().add(new CreatableTopic().setName("orders").setNumPartitions(3).setReplicationFactor((short) 2));
      CreatableTopic payments = new CreatableTopic().setName("payments").setNumPartitions(-1).setReplicationFactor((short) -1);
      payments.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(new ArrayList<>(List.of(1, 2))));
      payments.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(1).setBrokerIds(new ArrayList<>(List.of(2, 3))));
      payments.configs().add(new CreatableTopicConfig().setName("cleanup.policy").setValue("compact"));
      payments.configs().add(new CreatableTopicConfig().setName("retention.ms").setValue(null));
      m.topics().add(payments);
      out.add(request("two topics, one with assignments and configs", v, m));

      CreateTopicsRequestData validate = new CreateTopicsRequestData().setTimeoutMs(0).setValidateOnly(true);
      validate.topics().add(new CreatableTopic().setName("tëst").setNumPartitions(1).setReplicationFactor((short) 1));
      out.add(request("validate only, non-ASCII name", v, validate));
      return out;
    }

    static Vector request(String name, short v, CreateTopicsRequestData m) {
      return vector(name, "request", v, m, CreateTopicsRequestDataJsonConverter::write, CreateTopicsRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("one created, one existing", v, results(v), null));
      if (v >= 5) {
        CreateTopicsResponseData m = results(v);
        Planted planted = new Planted()
            .add(m.topics().find("orders").unknownTaggedFields(), "topics[0]", 3, "010203")
            .add(m.topics().find("orders").configs().get(0).unknownTaggedFields(), "topics[0].configs[0]", 0, "")
            .add(m.unknownTaggedFields(), "", 2, "ff");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(response("throttled, no topics", v, new CreateTopicsResponseData().setThrottleTimeMs(1000), null));
      return out;
    }

    static CreateTopicsResponseData results(short v) {
      CreateTopicsResponseData m = new CreateTopicsResponseData().setThrottleTimeMs(0);
      CreatableTopicResult orders = new CreatableTopicResult().setName("orders").setTopicId(ORDERS_ID)
          .setErrorCode((short) 0).setErrorMessage(null).setNumPartitions(3).setReplicationFactor((short) 2);
      if (v >= 5) {
        List<CreatableTopicConfigs> configs = new ArrayList<>();
        configs.add(new CreatableTopicConfigs().setName("cleanup.policy").setValue("delete").setReadOnly(false).setConfigSource((byte) 5).setIsSensitive(false));
        configs.add(new CreatableTopicConfigs().setName("sasl.jaas.config").setValue(null).setReadOnly(true).setConfigSource((byte) 4).setIsSensitive(true));
        orders.setConfigs(configs);
      }
      m.topics().add(orders);
      // TOPIC_ALREADY_EXISTS; configs could not be described (TOPIC_AUTHORIZATION_FAILED, tagged)
      m.topics().add(new CreatableTopicResult().setName("payments").setTopicId(Uuid.ZERO_UUID).setErrorCode((short) 36)
          .setErrorMessage("Topic 'payments' already exists.").setTopicConfigErrorCode((short) 29).setConfigs(null));
      return m;
    }

    static Vector response(String name, short v, CreateTopicsResponseData m, Planted planted) {
      return vector(name, "response", v, m, CreateTopicsResponseDataJsonConverter::write, CreateTopicsResponseData::new, planted);
    }
  }

  /** InitProducerId (key 22). */
  static final class InitProducerIdVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(request("idempotent producer", v, new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(2147483647)));
      out.add(request("transactional producer", v, new InitProducerIdRequestData().setTransactionalId("txn-é").setTransactionTimeoutMs(60000)));
      if (v >= 3) {
        // KIP-360: bump the epoch of an existing producer id
        out.add(request("epoch bump", v, new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000)
            .setProducerId(9007199254740993L).setProducerEpoch((short) 5)));
      }
      return out;
    }

    static Vector request(String name, short v, InitProducerIdRequestData m) {
      return vector(name, "request", v, m, InitProducerIdRequestDataJsonConverter::write, InitProducerIdRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("new producer id", v, new InitProducerIdResponseData().setThrottleTimeMs(0).setErrorCode((short) 0)
          .setProducerId(1000).setProducerEpoch((short) 0), null));
      out.add(response("producer id beyond 2^53, max epoch, throttled", v, new InitProducerIdResponseData().setThrottleTimeMs(30)
          .setErrorCode((short) 0).setProducerId(9007199254740993L).setProducerEpoch(Short.MAX_VALUE), null));
      // CONCURRENT_TRANSACTIONS
      out.add(response("error, no producer id", v, new InitProducerIdResponseData().setErrorCode((short) 51)
          .setProducerId(-1).setProducerEpoch((short) -1), null));
      if (v >= 2) {
        InitProducerIdResponseData m = new InitProducerIdResponseData().setProducerId(7).setProducerEpoch((short) 1);
        Planted planted = new Planted().add(m.unknownTaggedFields(), "", 0, "00");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static Vector response(String name, short v, InitProducerIdResponseData m, Planted planted) {
      return vector(name, "response", v, m, InitProducerIdResponseDataJsonConverter::write, InitProducerIdResponseData::new, planted);
    }
  }

  /** Request and response headers, at the header version Kafka picks for each API version. */
  static List<Vector> headers() {
    List<Vector> out = new ArrayList<>();
    int correlationId = 1;
    for (ApiKeys api : List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE, ApiKeys.FETCH,
        ApiKeys.LIST_OFFSETS, ApiKeys.CREATE_TOPICS, ApiKeys.INIT_PRODUCER_ID)) {
      short[] range = RANGES.get(api);
      for (short v : versions(api, range[0], range[1])) {
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

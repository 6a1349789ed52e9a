/*
 * Golden vectors from the reference implementation: builds representative messages with Kafka's
 * own generated classes (org.apache.kafka.common.message.*Data), serialises each at every version
 * kafkawire implements, and writes one fixture per API into <outdir> (produce.json, fetch.json,
 * list-offsets.json, metadata.json, api-versions.json, create-topics.json, init-producer-id.json,
 * headers.json). test/conformance/golden.test.ts checks src/protocol against them.
 * GroupVectors adds the consumer-group and offset APIs (offset-commit.json ... consumer-group-describe.json)
 * and consumer-protocol.json: ConsumerProtocol subscriptions and assignments (kinds "subscription" and
 * "assignment", `hex` with the int16 version prefix, `json` as Java's ConsumerProtocol reads the bytes).
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
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestDataJsonConverter;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseDataJsonConverter;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeRequestDataJsonConverter;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseDataJsonConverter;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchRequestDataJsonConverter;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareFetchResponseDataJsonConverter;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestDataJsonConverter;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseDataJsonConverter;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestDataJsonConverter;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseDataJsonConverter;
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
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestDataJsonConverter;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseDataJsonConverter;
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
// Consumer-group and offset APIs (GroupVectors)
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.message.ConsumerProtocolAssignment;
import org.apache.kafka.common.message.ConsumerProtocolAssignmentJsonConverter;
import org.apache.kafka.common.message.ConsumerProtocolSubscription;
import org.apache.kafka.common.message.ConsumerProtocolSubscriptionJsonConverter;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestDataJsonConverter;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseDataJsonConverter;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestDataJsonConverter;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseDataJsonConverter;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestDataJsonConverter;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseDataJsonConverter;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestDataJsonConverter;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseDataJsonConverter;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatRequestDataJsonConverter;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.HeartbeatResponseDataJsonConverter;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestDataJsonConverter;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseDataJsonConverter;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestDataJsonConverter;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseDataJsonConverter;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestDataJsonConverter;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseDataJsonConverter;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsRequestDataJsonConverter;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseDataJsonConverter;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestDataJsonConverter;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseDataJsonConverter;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestDataJsonConverter;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseDataJsonConverter;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestDataJsonConverter;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseDataJsonConverter;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestDataJsonConverter;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseDataJsonConverter;
import java.util.LinkedHashMap;
import java.util.function.Function;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestDataJsonConverter;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseDataJsonConverter;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestDataJsonConverter;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseDataJsonConverter;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestDataJsonConverter;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseDataJsonConverter;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestDataJsonConverter;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseDataJsonConverter;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestDataJsonConverter;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseDataJsonConverter;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestDataJsonConverter;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseDataJsonConverter;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestDataJsonConverter;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseDataJsonConverter;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestDataJsonConverter;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseDataJsonConverter;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestDataJsonConverter;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseDataJsonConverter;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestDataJsonConverter;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseDataJsonConverter;
// SASL APIs (SaslVectors)
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestDataJsonConverter;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslAuthenticateResponseDataJsonConverter;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestDataJsonConverter;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseDataJsonConverter;

// Transaction APIs (TxnVectors)
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestDataJsonConverter;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseDataJsonConverter;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestDataJsonConverter;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseDataJsonConverter;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestDataJsonConverter;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseDataJsonConverter;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestDataJsonConverter;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.EndTxnResponseDataJsonConverter;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestDataJsonConverter;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseDataJsonConverter;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestDataJsonConverter;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseDataJsonConverter;

public class GoldenVectors {
  /** The version ranges src/protocol/apis implements (golden.test.ts fails if a module outgrows them). */
  static final short API_VERSIONS_MIN = 0, API_VERSIONS_MAX = 4;
  static final short METADATA_MIN = 0, METADATA_MAX = 12;
  static final short PRODUCE_MIN = 3, PRODUCE_MAX = 12;
  static final short FETCH_MIN = 4, FETCH_MAX = 17;
  static final short LIST_OFFSETS_MIN = 1, LIST_OFFSETS_MAX = 10;
  static final short CREATE_TOPICS_MIN = 2, CREATE_TOPICS_MAX = 7;
  static final short INIT_PRODUCER_ID_MIN = 0, INIT_PRODUCER_ID_MAX = 5;
  static final short OFFSET_FOR_LEADER_EPOCH_MIN = 2, OFFSET_FOR_LEADER_EPOCH_MAX = 4;

  /** Our version range per API, for the header vectors. */
  static final Map<ApiKeys, short[]> RANGES = Map.of(
      ApiKeys.PRODUCE, new short[] {PRODUCE_MIN, PRODUCE_MAX},
      ApiKeys.FETCH, new short[] {FETCH_MIN, FETCH_MAX},
      ApiKeys.LIST_OFFSETS, new short[] {LIST_OFFSETS_MIN, LIST_OFFSETS_MAX},
      ApiKeys.METADATA, new short[] {METADATA_MIN, METADATA_MAX},
      ApiKeys.API_VERSIONS, new short[] {API_VERSIONS_MIN, API_VERSIONS_MAX},
      ApiKeys.CREATE_TOPICS, new short[] {CREATE_TOPICS_MIN, CREATE_TOPICS_MAX},
      ApiKeys.INIT_PRODUCER_ID, new short[] {INIT_PRODUCER_ID_MIN, INIT_PRODUCER_ID_MAX},
      ApiKeys.OFFSET_FOR_LEADER_EPOCH, new short[] {OFFSET_FOR_LEADER_EPOCH_MIN, OFFSET_FOR_LEADER_EPOCH_MAX});

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
    List<Vector> epochs = new ArrayList<>();
    for (short v : versions(ApiKeys.OFFSET_FOR_LEADER_EPOCH, OFFSET_FOR_LEADER_EPOCH_MIN, OFFSET_FOR_LEADER_EPOCH_MAX)) {
      epochs.addAll(OffsetForLeaderEpochVectors.requests(v));
      epochs.addAll(OffsetForLeaderEpochVectors.responses(v));
    }
    write(out.resolve("offset-for-leader-epoch.json"), "OffsetForLeaderEpoch", ApiKeys.OFFSET_FOR_LEADER_EPOCH, epochs);
    AdminVectors.writeAll(out);
    GroupVectors.writeAll(out);
    ShareVectors.writeAll(out);
    SaslVectors.writeAll(out);
    TxnVectors.writeAll(out);
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

  /** OffsetForLeaderEpoch (key 23): a consumer's validation after a leader change (KIP-320). */
  static final class OffsetForLeaderEpochVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      OffsetForLeaderEpochRequestData m = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
      OffsetForLeaderTopic orders = new OffsetForLeaderTopic().setTopic("orders");
      orders.partitions().add(new OffsetForLeaderPartition().setPartition(0).setCurrentLeaderEpoch(7).setLeaderEpoch(5));
      orders.partitions().add(new OffsetForLeaderPartition().setPartition(3).setCurrentLeaderEpoch(2).setLeaderEpoch(2));
      m.topics().add(orders);
      OffsetForLeaderTopic payments = new OffsetForLeaderTopic().setTopic("paymënts");
      payments.partitions().add(new OffsetForLeaderPartition().setPartition(1).setCurrentLeaderEpoch(-1).setLeaderEpoch(0));
      m.topics().add(payments);
      out.add(request("two topics, fenced and unfenced", v, m));
      out.add(request("no topics", v, new OffsetForLeaderEpochRequestData().setReplicaId(-1)));
      return out;
    }

    static Vector request(String name, short v, OffsetForLeaderEpochRequestData m) {
      return vector(name, "request", v, m, OffsetForLeaderEpochRequestDataJsonConverter::write,
          OffsetForLeaderEpochRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("end offsets, unknown epoch, fenced", v, endOffsets(), null));
      if (v >= 4) {
        OffsetForLeaderEpochResponseData m = endOffsets();
        Planted planted = new Planted()
            .add(m.topics().find("orders").partitions().get(0).unknownTaggedFields(), "topics[0].partitions[0]", 3, "0c")
            .add(m.topics().find("orders").unknownTaggedFields(), "topics[0]", 1, "")
            .add(m.unknownTaggedFields(), "", 9, "0a0b0c");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static OffsetForLeaderEpochResponseData endOffsets() {
      OffsetForLeaderEpochResponseData m = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(25);
      OffsetForLeaderTopicResult orders = new OffsetForLeaderTopicResult().setTopic("orders");
      // The end of epoch 4 (asked for 5, which this leader never had), past 2^53.
      orders.partitions().add(new EpochEndOffset().setPartition(0).setErrorCode((short) 0).setLeaderEpoch(4)
          .setEndOffset(9007199254740993L));
      // UNDEFINED: no epoch at or below the one asked for (the log start moved past it).
      orders.partitions().add(new EpochEndOffset().setPartition(3).setErrorCode((short) 0).setLeaderEpoch(-1)
          .setEndOffset(-1));
      m.topics().add(orders);
      OffsetForLeaderTopicResult payments = new OffsetForLeaderTopicResult().setTopic("paymënts");
      // FENCED_LEADER_EPOCH
      payments.partitions().add(new EpochEndOffset().setPartition(1).setErrorCode((short) 74).setLeaderEpoch(-1)
          .setEndOffset(-1));
      m.topics().add(payments);
      return m;
    }

    static Vector response(String name, short v, OffsetForLeaderEpochResponseData m, Planted planted) {
      return vector(name, "response", v, m, OffsetForLeaderEpochResponseDataJsonConverter::write,
          OffsetForLeaderEpochResponseData::new, planted);
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

  /**
   * Admin APIs: DeleteTopics, DeleteRecords, Describe/Create/DeleteAcls, DescribeConfigs,
   * CreatePartitions, IncrementalAlterConfigs, DescribeCluster, DescribeTopicPartitions. One fixture
   * each, plus their header vectors (added to headers.json by headers()).
   */
  static final class AdminVectors {
    /** The version ranges src/protocol/apis implements, in key order. */
    static final Map<ApiKeys, short[]> RANGES = new LinkedHashMap<>();
    static {
      RANGES.put(ApiKeys.DELETE_TOPICS, new short[] {1, 6});
      RANGES.put(ApiKeys.DELETE_RECORDS, new short[] {0, 2});
      RANGES.put(ApiKeys.DESCRIBE_ACLS, new short[] {1, 3});
      RANGES.put(ApiKeys.CREATE_ACLS, new short[] {1, 3});
      RANGES.put(ApiKeys.DELETE_ACLS, new short[] {1, 3});
      RANGES.put(ApiKeys.DESCRIBE_CONFIGS, new short[] {1, 4});
      RANGES.put(ApiKeys.CREATE_PARTITIONS, new short[] {0, 3});
      RANGES.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new short[] {0, 1});
      RANGES.put(ApiKeys.DESCRIBE_CLUSTER, new short[] {0, 1});
      RANGES.put(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, new short[] {0, 0});
    }

    static void writeAll(Path out) throws Exception {
      write(out, "DeleteTopics", ApiKeys.DELETE_TOPICS, DeleteTopicsVectors::requests, DeleteTopicsVectors::responses);
      write(out, "DeleteRecords", ApiKeys.DELETE_RECORDS, DeleteRecordsVectors::requests, DeleteRecordsVectors::responses);
      write(out, "DescribeAcls", ApiKeys.DESCRIBE_ACLS, AclVectors::describeRequests, AclVectors::describeResponses);
      write(out, "CreateAcls", ApiKeys.CREATE_ACLS, AclVectors::createRequests, AclVectors::createResponses);
      write(out, "DeleteAcls", ApiKeys.DELETE_ACLS, AclVectors::deleteRequests, AclVectors::deleteResponses);
      write(out, "DescribeConfigs", ApiKeys.DESCRIBE_CONFIGS, DescribeConfigsVectors::requests, DescribeConfigsVectors::responses);
      write(out, "CreatePartitions", ApiKeys.CREATE_PARTITIONS, CreatePartitionsVectors::requests, CreatePartitionsVectors::responses);
      write(out, "IncrementalAlterConfigs", ApiKeys.INCREMENTAL_ALTER_CONFIGS, IncrementalAlterConfigsVectors::requests,
          IncrementalAlterConfigsVectors::responses);
      write(out, "DescribeCluster", ApiKeys.DESCRIBE_CLUSTER, DescribeClusterVectors::requests, DescribeClusterVectors::responses);
      write(out, "DescribeTopicPartitions", ApiKeys.DESCRIBE_TOPIC_PARTITIONS, DescribeTopicPartitionsVectors::requests,
          DescribeTopicPartitionsVectors::responses);
    }

    /** Requests then responses at each version of our range; the file is the kebab-case API name. */
    static void write(Path out, String apiName, ApiKeys api, Function<Short, List<Vector>> requests,
        Function<Short, List<Vector>> responses) throws Exception {
      short[] range = RANGES.get(api);
      List<Vector> all = new ArrayList<>();
      for (short v : versions(api, range[0], range[1])) {
        all.addAll(requests.apply(v));
        all.addAll(responses.apply(v));
      }
      String file = apiName.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase() + ".json";
      GoldenVectors.write(out.resolve(file), apiName, api, all);
    }

    /** Request and response header vectors at each version, correlation ids from `firstCorrelationId`. */
    static List<Vector> headers(int firstCorrelationId) {
      List<Vector> out = new ArrayList<>();
      int correlationId = firstCorrelationId;
      for (Map.Entry<ApiKeys, short[]> e : RANGES.entrySet()) {
        ApiKeys api = e.getKey();
        for (short v : versions(api, e.getValue()[0], e.getValue()[1])) {
          out.add(requestHeader(api.name + " v" + v, api, v, correlationId, "kafkawire"));
          out.add(responseHeader(api.name + " v" + v, api, v, correlationId));
          correlationId++;
        }
      }
      return out;
    }

    static List<Integer> ints(Integer... values) {
      return new ArrayList<>(List.of(values));
    }
  }

  /** DeleteTopics (key 20): names before v6, names or ids from v6. */
  static final class DeleteTopicsVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(request("two topics by name", v, byName(v, 30000, "orders", "payments")));
      out.add(request("non-ASCII name, zero timeout", v, byName(v, 0, "tëst")));
      out.add(request("no topics", v, byName(v, 1000)));
      if (v >= 6) {
        DeleteTopicsRequestData m = new DeleteTopicsRequestData().setTimeoutMs(30000);
        m.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(ORDERS_ID));
        m.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(OFFSETS_ID));
        out.add(request("two topics by id, null names", v, m));
      }
      return out;
    }

    /** `topics` (v6+) and `topicNames` (v0-v5) are not ignorable: each is set only where it exists. */
    static DeleteTopicsRequestData byName(short v, int timeoutMs, String... names) {
      DeleteTopicsRequestData m = new DeleteTopicsRequestData().setTimeoutMs(timeoutMs);
      for (String name : names) {
        if (v >= 6) m.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(name).setTopicId(Uuid.ZERO_UUID));
        else m.topicNames().add(name);
      }
      return m;
    }

    static Vector request(String name, short v, DeleteTopicsRequestData m) {
      return vector(name, "request", v, m, DeleteTopicsRequestDataJsonConverter::write, DeleteTopicsRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("deleted, unknown topic, deletion disabled", v, results(v), null));
      if (v >= 4) {
        DeleteTopicsResponseData m = results(v);
        Planted planted = new Planted()
            .add(m.responses().find("orders").unknownTaggedFields(), "responses[0]", 1, "abcd")
            .add(m.unknownTaggedFields(), "", 0, "");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      if (v >= 6) {
        DeleteTopicsResponseData m = new DeleteTopicsResponseData().setThrottleTimeMs(0);
        m.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName("orders").setTopicId(ORDERS_ID));
        // UNKNOWN_TOPIC_ID: asked for by id, so no name
        m.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName(null).setTopicId(UNKNOWN_ID)
            .setErrorCode((short) 100).setErrorMessage("This server does not host this topic ID."));
        out.add(response("deleted by id, unknown topic id with a null name", v, m, null));
      }
      out.add(response("throttled, no topics", v, new DeleteTopicsResponseData().setThrottleTimeMs(2000), null));
      return out;
    }

    /** topicId (v6+) and errorMessage (v5+) are ignorable: set throughout, dropped where absent. */
    static DeleteTopicsResponseData results(short v) {
      DeleteTopicsResponseData m = new DeleteTopicsResponseData().setThrottleTimeMs(0);
      m.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName("orders").setTopicId(ORDERS_ID)
          .setErrorCode((short) 0).setErrorMessage(null));
      // UNKNOWN_TOPIC_OR_PARTITION
      m.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName("missing").setTopicId(Uuid.ZERO_UUID)
          .setErrorCode((short) 3).setErrorMessage("This server does not host this topic-partition."));
      // TOPIC_DELETION_DISABLED
      m.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName("tëst").setTopicId(OFFSETS_ID)
          .setErrorCode((short) 73).setErrorMessage(null));
      return m;
    }

    static Vector response(String name, short v, DeleteTopicsResponseData m, Planted planted) {
      return vector(name, "response", v, m, DeleteTopicsResponseDataJsonConverter::write, DeleteTopicsResponseData::new, planted);
    }
  }

  /** DeleteRecords (key 21). */
  static final class DeleteRecordsVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      DeleteRecordsRequestData m = new DeleteRecordsRequestData().setTimeoutMs(30000);
      DeleteRecordsRequestData.DeleteRecordsTopic orders = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("orders");
      orders.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(100));
      // -1: up to the high watermark
      orders.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(1).setOffset(-1));
      m.topics().add(orders);
      DeleteRecordsRequestData.DeleteRecordsTopic payments = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("payments");
      payments.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(3).setOffset(9007199254740993L));
      m.topics().add(payments);
      out.add(request("two topics, an offset beyond 2^53, up to the high watermark", v, m));
      out.add(request("no topics", v, new DeleteRecordsRequestData().setTimeoutMs(0)));
      return out;
    }

    static Vector request(String name, short v, DeleteRecordsRequestData m) {
      return vector(name, "request", v, m, DeleteRecordsRequestDataJsonConverter::write, DeleteRecordsRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("low watermarks and errors", v, results(), null));
      if (v >= 2) {
        DeleteRecordsResponseData m = results();
        Planted planted = new Planted()
            .add(m.topics().find("orders").partitions().find(1).unknownTaggedFields(), "topics[0].partitions[1]", 2, "00")
            .add(m.topics().find("orders").unknownTaggedFields(), "topics[0]", 0, "0102")
            .add(m.unknownTaggedFields(), "", 3, "");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(response("throttled, no topics", v, new DeleteRecordsResponseData().setThrottleTimeMs(100), null));
      return out;
    }

    static DeleteRecordsResponseData results() {
      DeleteRecordsResponseData m = new DeleteRecordsResponseData().setThrottleTimeMs(0);
      DeleteRecordsResponseData.DeleteRecordsTopicResult orders = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName("orders");
      orders.partitions().add(partition(0, 100, 0));
      // NOT_LEADER_OR_FOLLOWER
      orders.partitions().add(partition(1, -1, 6));
      m.topics().add(orders);
      DeleteRecordsResponseData.DeleteRecordsTopicResult payments = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName("payments");
      payments.partitions().add(partition(3, 9007199254740993L, 0));
      m.topics().add(payments);
      // OFFSET_OUT_OF_RANGE: beyond the high watermark
      DeleteRecordsResponseData.DeleteRecordsTopicResult other = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName("tëst");
      other.partitions().add(partition(0, -1, 1));
      m.topics().add(other);
      return m;
    }

    static DeleteRecordsResponseData.DeleteRecordsPartitionResult partition(int index, long lowWatermark, int error) {
      return new DeleteRecordsResponseData.DeleteRecordsPartitionResult().setPartitionIndex(index)
          .setLowWatermark(lowWatermark).setErrorCode((short) error);
    }

    static Vector response(String name, short v, DeleteRecordsResponseData m, Planted planted) {
      return vector(name, "response", v, m, DeleteRecordsResponseDataJsonConverter::write, DeleteRecordsResponseData::new, planted);
    }
  }

  /** DescribeAcls, CreateAcls, DeleteAcls (keys 29-31): the codes are Java's AclOperation etc. */
  static final class AclVectors {
    static final byte ANY = 1, TOPIC = 2, GROUP = 3, USER = 7;
    static final byte LITERAL = 3, PREFIXED = 4, MATCH = 2;
    static final byte OP_ALL = 2, OP_READ = 3, OP_WRITE = 4, OP_DESCRIBE_TOKENS = 14;
    static final byte DENY = 2, ALLOW = 3;

    static List<Vector> describeRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(describeRequest("literal topic, any principal and host", v, new DescribeAclsRequestData()
          .setResourceTypeFilter(TOPIC).setResourceNameFilter("orders").setPatternTypeFilter(LITERAL)
          .setPrincipalFilter(null).setHostFilter(null).setOperation(ANY).setPermissionType(ANY)));
      out.add(describeRequest("match any resource for a principal on a host", v, new DescribeAclsRequestData()
          .setResourceTypeFilter(ANY).setResourceNameFilter(null).setPatternTypeFilter(MATCH)
          .setPrincipalFilter("User:alicé").setHostFilter("10.0.0.1").setOperation(OP_READ).setPermissionType(ALLOW)));
      if (v >= 3) {
        out.add(describeRequest("user resource", v, new DescribeAclsRequestData()
            .setResourceTypeFilter(USER).setResourceNameFilter("alice").setPatternTypeFilter(LITERAL)
            .setPrincipalFilter(null).setHostFilter(null).setOperation(OP_DESCRIBE_TOKENS).setPermissionType(ANY)));
      }
      return out;
    }

    static Vector describeRequest(String name, short v, DescribeAclsRequestData m) {
      return vector(name, "request", v, m, DescribeAclsRequestDataJsonConverter::write, DescribeAclsRequestData::new);
    }

    static List<Vector> describeResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(describeResponse("a literal topic and a prefixed group", v, describeResult(), null));
      if (v >= 2) {
        DescribeAclsResponseData m = describeResult();
        Planted planted = new Planted()
            .add(m.resources().get(0).acls().get(1).unknownTaggedFields(), "resources[0].acls[1]", 0, "ff")
            .add(m.resources().get(1).unknownTaggedFields(), "resources[1]", 4, "")
            .add(m.unknownTaggedFields(), "", 1, "0102");
        out.add(describeResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(describeResponse("SECURITY_DISABLED, throttled", v, new DescribeAclsResponseData().setThrottleTimeMs(50)
          .setErrorCode((short) 54).setErrorMessage("No Authorizer is configured."), null));
      return out;
    }

    static DescribeAclsResponseData describeResult() {
      DescribeAclsResponseData m = new DescribeAclsResponseData().setThrottleTimeMs(0).setErrorCode((short) 0).setErrorMessage(null);
      DescribeAclsResponseData.DescribeAclsResource orders = new DescribeAclsResponseData.DescribeAclsResource()
          .setResourceType(TOPIC).setResourceName("orders").setPatternType(LITERAL);
      orders.acls().add(new DescribeAclsResponseData.AclDescription().setPrincipal("User:alicé").setHost("*")
          .setOperation(OP_READ).setPermissionType(ALLOW));
      orders.acls().add(new DescribeAclsResponseData.AclDescription().setPrincipal("User:bob").setHost("10.0.0.2")
          .setOperation(OP_WRITE).setPermissionType(DENY));
      m.resources().add(orders);
      DescribeAclsResponseData.DescribeAclsResource group = new DescribeAclsResponseData.DescribeAclsResource()
          .setResourceType(GROUP).setResourceName("app-").setPatternType(PREFIXED);
      group.acls().add(new DescribeAclsResponseData.AclDescription().setPrincipal("User:alicé").setHost("*")
          .setOperation(OP_ALL).setPermissionType(ALLOW));
      m.resources().add(group);
      return m;
    }

    static Vector describeResponse(String name, short v, DescribeAclsResponseData m, Planted planted) {
      return vector(name, "response", v, m, DescribeAclsResponseDataJsonConverter::write, DescribeAclsResponseData::new, planted);
    }

    static List<Vector> createRequests(short v) {
      List<Vector> out = new ArrayList<>();
      CreateAclsRequestData m = new CreateAclsRequestData();
      m.creations().add(new CreateAclsRequestData.AclCreation().setResourceType(TOPIC).setResourceName("orders")
          .setResourcePatternType(LITERAL).setPrincipal("User:alicé").setHost("*").setOperation(OP_READ).setPermissionType(ALLOW));
      m.creations().add(new CreateAclsRequestData.AclCreation().setResourceType(GROUP).setResourceName("app-")
          .setResourcePatternType(PREFIXED).setPrincipal("User:bob").setHost("10.0.0.2").setOperation(OP_ALL).setPermissionType(DENY));
      if (v >= 3) {
        m.creations().add(new CreateAclsRequestData.AclCreation().setResourceType(USER).setResourceName("alice")
            .setResourcePatternType(LITERAL).setPrincipal("User:admin").setHost("*").setOperation(OP_DESCRIBE_TOKENS).setPermissionType(ALLOW));
      }
      out.add(createRequest("allow and deny, literal and prefixed", v, m));
      out.add(createRequest("no creations", v, new CreateAclsRequestData()));
      return out;
    }

    static Vector createRequest(String name, short v, CreateAclsRequestData m) {
      return vector(name, "request", v, m, CreateAclsRequestDataJsonConverter::write, CreateAclsRequestData::new);
    }

    static List<Vector> createResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(createResponse("created, SECURITY_DISABLED, invalid request", v, createResult(), null));
      if (v >= 2) {
        CreateAclsResponseData m = createResult();
        Planted planted = new Planted()
            .add(m.results().get(1).unknownTaggedFields(), "results[1]", 0, "")
            .add(m.unknownTaggedFields(), "", 2, "abcdef");
        out.add(createResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(createResponse("throttled, no results", v, new CreateAclsResponseData().setThrottleTimeMs(300), null));
      return out;
    }

    static CreateAclsResponseData createResult() {
      CreateAclsResponseData m = new CreateAclsResponseData().setThrottleTimeMs(0);
      m.results().add(new CreateAclsResponseData.AclCreationResult().setErrorCode((short) 0).setErrorMessage(null));
      m.results().add(new CreateAclsResponseData.AclCreationResult().setErrorCode((short) 54).setErrorMessage("No Authorizer is configured."));
      m.results().add(new CreateAclsResponseData.AclCreationResult().setErrorCode((short) 42).setErrorMessage("Invalid ACL créated"));
      return m;
    }

    static Vector createResponse(String name, short v, CreateAclsResponseData m, Planted planted) {
      return vector(name, "response", v, m, CreateAclsResponseDataJsonConverter::write, CreateAclsResponseData::new, planted);
    }

    static List<Vector> deleteRequests(short v) {
      List<Vector> out = new ArrayList<>();
      DeleteAclsRequestData m = new DeleteAclsRequestData();
      m.filters().add(new DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter(TOPIC).setResourceNameFilter("orders")
          .setPatternTypeFilter(LITERAL).setPrincipalFilter("User:alicé").setHostFilter(null).setOperation(ANY).setPermissionType(ANY));
      m.filters().add(new DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter(ANY).setResourceNameFilter(null)
          .setPatternTypeFilter(ANY).setPrincipalFilter(null).setHostFilter("10.0.0.2").setOperation(OP_WRITE).setPermissionType(DENY));
      out.add(deleteRequest("by topic and principal; anything from a host", v, m));
      out.add(deleteRequest("no filters", v, new DeleteAclsRequestData()));
      return out;
    }

    static Vector deleteRequest(String name, short v, DeleteAclsRequestData m) {
      return vector(name, "request", v, m, DeleteAclsRequestDataJsonConverter::write, DeleteAclsRequestData::new);
    }

    static List<Vector> deleteResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(deleteResponse("two matches, none, SECURITY_DISABLED", v, deleteResult(), null));
      if (v >= 2) {
        DeleteAclsResponseData m = deleteResult();
        Planted planted = new Planted()
            .add(m.filterResults().get(0).matchingAcls().get(1).unknownTaggedFields(), "filterResults[0].matchingAcls[1]", 7, "07")
            .add(m.filterResults().get(0).unknownTaggedFields(), "filterResults[0]", 0, "")
            .add(m.unknownTaggedFields(), "", 1, "0102");
        out.add(deleteResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(deleteResponse("throttled, no results", v, new DeleteAclsResponseData().setThrottleTimeMs(10), null));
      return out;
    }

    static DeleteAclsResponseData deleteResult() {
      DeleteAclsResponseData m = new DeleteAclsResponseData().setThrottleTimeMs(0);
      DeleteAclsResponseData.DeleteAclsFilterResult first = new DeleteAclsResponseData.DeleteAclsFilterResult()
          .setErrorCode((short) 0).setErrorMessage(null);
      first.matchingAcls().add(new DeleteAclsResponseData.DeleteAclsMatchingAcl().setErrorCode((short) 0).setErrorMessage(null)
          .setResourceType(TOPIC).setResourceName("orders").setPatternType(LITERAL).setPrincipal("User:alicé").setHost("*")
          .setOperation(OP_READ).setPermissionType(ALLOW));
      first.matchingAcls().add(new DeleteAclsResponseData.DeleteAclsMatchingAcl().setErrorCode((short) 0).setErrorMessage(null)
          .setResourceType(TOPIC).setResourceName("orders").setPatternType(LITERAL).setPrincipal("User:alicé").setHost("10.0.0.1")
          .setOperation(OP_WRITE).setPermissionType(ALLOW));
      m.filterResults().add(first);
      m.filterResults().add(new DeleteAclsResponseData.DeleteAclsFilterResult().setErrorCode((short) 0).setErrorMessage(null));
      m.filterResults().add(new DeleteAclsResponseData.DeleteAclsFilterResult().setErrorCode((short) 54)
          .setErrorMessage("No Authorizer is configured."));
      return m;
    }

    static Vector deleteResponse(String name, short v, DeleteAclsResponseData m, Planted planted) {
      return vector(name, "response", v, m, DeleteAclsResponseDataJsonConverter::write, DeleteAclsResponseData::new, planted);
    }
  }

  /** DescribeConfigs (key 32): topic, broker and broker-logger resources; synonyms and documentation. */
  static final class DescribeConfigsVectors {
    static final byte TOPIC = 2, BROKER = 4, BROKER_LOGGER = 8;

    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      DescribeConfigsRequestData m = new DescribeConfigsRequestData().setIncludeSynonyms(true);
      m.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(TOPIC)
          .setResourceName("orders").setConfigurationKeys(null));
      m.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(BROKER)
          .setResourceName("1").setConfigurationKeys(new ArrayList<>(List.of("log.retention.ms", "num.io.threads"))));
      // includeDocumentation (v3+) is not ignorable: set only from v3
      if (v >= 3) m.setIncludeDocumentation(true);
      out.add(request("a topic's every config and two broker configs, with synonyms", v, m));

      DescribeConfigsRequestData logger = new DescribeConfigsRequestData().setIncludeSynonyms(false);
      logger.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(BROKER_LOGGER)
          .setResourceName("1").setConfigurationKeys(new ArrayList<>()));
      out.add(request("broker loggers, no keys, no synonyms", v, logger));
      return out;
    }

    static Vector request(String name, short v, DescribeConfigsRequestData m) {
      return vector(name, "request", v, m, DescribeConfigsRequestDataJsonConverter::write, DescribeConfigsRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("topic and broker configs, an authorization error", v, results(), null));
      if (v >= 4) {
        DescribeConfigsResponseData m = results();
        Planted planted = new Planted()
            .add(m.results().get(0).configs().get(0).synonyms().get(1).unknownTaggedFields(), "results[0].configs[0].synonyms[1]", 0, "01")
            .add(m.results().get(0).configs().get(1).unknownTaggedFields(), "results[0].configs[1]", 3, "")
            .add(m.results().get(2).unknownTaggedFields(), "results[2]", 9, "0a0b0c")
            .add(m.unknownTaggedFields(), "", 0, "ff");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(response("throttled, no results", v, new DescribeConfigsResponseData().setThrottleTimeMs(500), null));
      return out;
    }

    /** configType and documentation (v3+) are ignorable: set throughout, dropped before v3. */
    static DescribeConfigsResponseData results() {
      DescribeConfigsResponseData m = new DescribeConfigsResponseData().setThrottleTimeMs(0);
      DescribeConfigsResponseData.DescribeConfigsResult orders = new DescribeConfigsResponseData.DescribeConfigsResult()
          .setErrorCode((short) 0).setErrorMessage(null).setResourceType(TOPIC).setResourceName("orders");
      orders.configs().add(config("cleanup.policy", "compact", false, 1, false, 7, "Désignates the retention policy.",
          synonym("cleanup.policy", "compact", 1), synonym("log.cleanup.policy", "delete", 5)));
      orders.configs().add(config("retention.ms", "604800000", false, 5, false, 5, null));
      orders.configs().add(config("sasl.jaas.config", null, true, 4, true, 9, null, synonym("sasl.jaas.config", null, 4)));
      m.results().add(orders);
      // TOPIC_AUTHORIZATION_FAILED
      m.results().add(new DescribeConfigsResponseData.DescribeConfigsResult().setErrorCode((short) 29)
          .setErrorMessage("Topic authorization failed.").setResourceType(TOPIC).setResourceName("secret"));
      DescribeConfigsResponseData.DescribeConfigsResult broker = new DescribeConfigsResponseData.DescribeConfigsResult()
          .setErrorCode((short) 0).setErrorMessage(null).setResourceType(BROKER).setResourceName("1");
      broker.configs().add(config("num.io.threads", "8", false, 2, false, 3, "The number of threads.",
          synonym("num.io.threads", "8", 2), synonym("num.io.threads", "4", 4), synonym("num.io.threads", "8", 5)));
      broker.configs().add(config("log.retention.ms", null, false, 5, false, 5, null));
      m.results().add(broker);
      return m;
    }

    static DescribeConfigsResponseData.DescribeConfigsResourceResult config(String name, String value, boolean readOnly,
        int source, boolean sensitive, int type, String documentation, DescribeConfigsResponseData.DescribeConfigsSynonym... synonyms) {
      DescribeConfigsResponseData.DescribeConfigsResourceResult c = new DescribeConfigsResponseData.DescribeConfigsResourceResult()
          .setName(name).setValue(value).setReadOnly(readOnly).setConfigSource((byte) source).setIsSensitive(sensitive)
          .setConfigType((byte) type).setDocumentation(documentation);
      for (DescribeConfigsResponseData.DescribeConfigsSynonym s : synonyms) c.synonyms().add(s);
      return c;
    }

    static DescribeConfigsResponseData.DescribeConfigsSynonym synonym(String name, String value, int source) {
      return new DescribeConfigsResponseData.DescribeConfigsSynonym().setName(name).setValue(value).setSource((byte) source);
    }

    static Vector response(String name, short v, DescribeConfigsResponseData m, Planted planted) {
      return vector(name, "response", v, m, DescribeConfigsResponseDataJsonConverter::write, DescribeConfigsResponseData::new, planted);
    }
  }

  /** CreatePartitions (key 37). */
  static final class CreatePartitionsVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      CreatePartitionsRequestData m = new CreatePartitionsRequestData().setTimeoutMs(30000).setValidateOnly(false);
      m.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("orders").setCount(6).setAssignments(null));
      List<CreatePartitionsRequestData.CreatePartitionsAssignment> assignments = new ArrayList<>();
      assignments.add(new CreatePartitionsRequestData.CreatePartitionsAssignment().setBrokerIds(AdminVectors.ints(1, 2)));
      assignments.add(new CreatePartitionsRequestData.CreatePartitionsAssignment().setBrokerIds(AdminVectors.ints(2, 3)));
      m.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("payments").setCount(3).setAssignments(assignments));
      out.add(request("two topics, one with assignments", v, m));

      CreatePartitionsRequestData validate = new CreatePartitionsRequestData().setTimeoutMs(0).setValidateOnly(true);
      validate.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("tëst").setCount(2)
          .setAssignments(new ArrayList<>()));
      out.add(request("validate only, non-ASCII name, empty assignments", v, validate));
      return out;
    }

    static Vector request(String name, short v, CreatePartitionsRequestData m) {
      return vector(name, "request", v, m, CreatePartitionsRequestDataJsonConverter::write, CreatePartitionsRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("created, fewer partitions, unknown topic", v, results(), null));
      if (v >= 2) {
        CreatePartitionsResponseData m = results();
        Planted planted = new Planted()
            .add(m.results().get(1).unknownTaggedFields(), "results[1]", 5, "05")
            .add(m.unknownTaggedFields(), "", 0, "");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(response("throttled, no results", v, new CreatePartitionsResponseData().setThrottleTimeMs(1000), null));
      return out;
    }

    static CreatePartitionsResponseData results() {
      CreatePartitionsResponseData m = new CreatePartitionsResponseData().setThrottleTimeMs(0);
      m.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName("orders").setErrorCode((short) 0).setErrorMessage(null));
      // INVALID_PARTITIONS
      m.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName("payments").setErrorCode((short) 37)
          .setErrorMessage("Topic currently has 3 partitions, which is higher than the requested 2."));
      // UNKNOWN_TOPIC_OR_PARTITION
      m.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName("tëst").setErrorCode((short) 3)
          .setErrorMessage("The topic 'tëst' does not exist."));
      return m;
    }

    static Vector response(String name, short v, CreatePartitionsResponseData m, Planted planted) {
      return vector(name, "response", v, m, CreatePartitionsResponseDataJsonConverter::write, CreatePartitionsResponseData::new, planted);
    }
  }

  /** IncrementalAlterConfigs (key 44): every operation on topic, broker and broker-logger resources. */
  static final class IncrementalAlterConfigsVectors {
    static final byte SET = 0, DELETE = 1, APPEND = 2, SUBTRACT = 3;

    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      IncrementalAlterConfigsRequestData m = new IncrementalAlterConfigsRequestData().setValidateOnly(false);
      IncrementalAlterConfigsRequestData.AlterConfigsResource topic = resource(DescribeConfigsVectors.TOPIC, "orders");
      topic.configs().add(config("retention.ms", SET, "86400000"));
      topic.configs().add(config("segment.ms", DELETE, null));
      topic.configs().add(config("cleanup.policy", APPEND, "compact"));
      topic.configs().add(config("leader.replication.throttled.replicas", SUBTRACT, "0:1"));
      m.resources().add(topic);
      IncrementalAlterConfigsRequestData.AlterConfigsResource broker = resource(DescribeConfigsVectors.BROKER, "1");
      broker.configs().add(config("log.cleaner.threads", SET, "2"));
      m.resources().add(broker);
      IncrementalAlterConfigsRequestData.AlterConfigsResource logger = resource(DescribeConfigsVectors.BROKER_LOGGER, "1");
      logger.configs().add(config("kafka.server.ReplicaManager", SET, "DEBUG"));
      m.resources().add(logger);
      out.add(request("set, delete, append and subtract on three resources", v, m));

      IncrementalAlterConfigsRequestData validate = new IncrementalAlterConfigsRequestData().setValidateOnly(true);
      validate.resources().add(resource(DescribeConfigsVectors.TOPIC, "tëst"));
      out.add(request("validate only, no configs", v, validate));
      return out;
    }

    static IncrementalAlterConfigsRequestData.AlterConfigsResource resource(byte type, String name) {
      return new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(type).setResourceName(name);
    }

    static IncrementalAlterConfigsRequestData.AlterableConfig config(String name, byte op, String value) {
      return new IncrementalAlterConfigsRequestData.AlterableConfig().setName(name).setConfigOperation(op).setValue(value);
    }

    static Vector request(String name, short v, IncrementalAlterConfigsRequestData m) {
      return vector(name, "request", v, m, IncrementalAlterConfigsRequestDataJsonConverter::write, IncrementalAlterConfigsRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("altered, invalid config, policy violation", v, results(), null));
      if (v >= 1) {
        IncrementalAlterConfigsResponseData m = results();
        Planted planted = new Planted()
            .add(m.responses().get(0).unknownTaggedFields(), "responses[0]", 2, "")
            .add(m.unknownTaggedFields(), "", 4, "04040404");
        out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(response("throttled, no responses", v, new IncrementalAlterConfigsResponseData().setThrottleTimeMs(20), null));
      return out;
    }

    static IncrementalAlterConfigsResponseData results() {
      IncrementalAlterConfigsResponseData m = new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0);
      m.responses().add(response(0, null, DescribeConfigsVectors.TOPIC, "orders"));
      // INVALID_CONFIG
      m.responses().add(response(40, "Invalid value -2 for configuration retention.ms", DescribeConfigsVectors.TOPIC, "payments"));
      // POLICY_VIOLATION
      m.responses().add(response(44, "Altering broker configs is not allowed: log.cleaner.threads", DescribeConfigsVectors.BROKER, "1"));
      return m;
    }

    static IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse response(int error, String message, byte type, String name) {
      return new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse().setErrorCode((short) error)
          .setErrorMessage(message).setResourceType(type).setResourceName(name);
    }

    static Vector response(String name, short v, IncrementalAlterConfigsResponseData m, Planted planted) {
      return vector(name, "response", v, m, IncrementalAlterConfigsResponseDataJsonConverter::write, IncrementalAlterConfigsResponseData::new, planted);
    }
  }

  /** DescribeCluster (key 60): brokers, or from v1 the controllers. */
  static final class DescribeClusterVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(request("brokers", v, new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(false)));
      out.add(request("brokers with authorized operations", v, new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true)));
      if (v >= 1) {
        // endpointType (v1+) is not ignorable: set only from v1
        out.add(request("controllers", v, new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(false).setEndpointType((byte) 2)));
      }
      return out;
    }

    static Vector request(String name, short v, DescribeClusterRequestData m) {
      return vector(name, "request", v, m, DescribeClusterRequestDataJsonConverter::write, DescribeClusterRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("three brokers, one without rack", v, cluster(), null));
      DescribeClusterResponseData m = cluster();
      Planted planted = new Planted()
          .add(m.brokers().find(2).unknownTaggedFields(), "brokers[1]", 0, "02")
          .add(m.unknownTaggedFields(), "", 6, "");
      out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      out.add(response("authorized operations, throttled", v, cluster().setThrottleTimeMs(100)
          .setClusterAuthorizedOperations(ops(AclOperation.DESCRIBE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS)), null));
      if (v >= 1) {
        DescribeClusterResponseData.DescribeClusterBrokerCollection controllers = new DescribeClusterResponseData.DescribeClusterBrokerCollection();
        controllers.add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(3000).setHost("controller-0.kafka.internal").setPort(9094).setRack(null));
        out.add(response("controllers", v, new DescribeClusterResponseData().setEndpointType((byte) 2)
            .setClusterId("MkU3OEVBNTcwNTJENDM2Qk").setControllerId(3000).setBrokers(controllers), null));
        // MISMATCHED_ENDPOINT_TYPE: asked a broker for controllers
        out.add(response("mismatched endpoint type", v, new DescribeClusterResponseData().setErrorCode((short) 114)
            .setErrorMessage("The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER")
            .setEndpointType((byte) 2).setClusterId(""), null));
      }
      return out;
    }

    static DescribeClusterResponseData cluster() {
      DescribeClusterResponseData.DescribeClusterBrokerCollection brokers = new DescribeClusterResponseData.DescribeClusterBrokerCollection();
      brokers.add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(1).setHost("broker-1.kafka.internal").setPort(9092).setRack("eu-west-1a"));
      brokers.add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(2).setHost("broker-2.kafka.internal").setPort(9093).setRack(null));
      brokers.add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(3).setHost("10.0.0.3").setPort(19092).setRack("eu-west-1c"));
      return new DescribeClusterResponseData().setThrottleTimeMs(0).setErrorCode((short) 0).setErrorMessage(null)
          .setClusterId("MkU3OEVBNTcwNTJENDM2Qk").setControllerId(2).setBrokers(brokers);
    }

    static Vector response(String name, short v, DescribeClusterResponseData m, Planted planted) {
      return vector(name, "response", v, m, DescribeClusterResponseDataJsonConverter::write, DescribeClusterResponseData::new, planted);
    }
  }

  /** DescribeTopicPartitions (key 75): paging with a cursor, eligible leader replicas (KIP-966). */
  static final class DescribeTopicPartitionsVectors {
    static List<Vector> requests(short v) {
      List<Vector> out = new ArrayList<>();
      DescribeTopicPartitionsRequestData m = new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(2000).setCursor(null);
      m.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("orders"));
      m.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("tëst"));
      out.add(request("two topics from the start", v, m));
      DescribeTopicPartitionsRequestData next = new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(1)
          .setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName("orders").setPartitionIndex(2));
      next.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("orders"));
      out.add(request("next page from a cursor", v, next));
      return out;
    }

    static Vector request(String name, short v, DescribeTopicPartitionsRequestData m) {
      return vector(name, "request", v, m, DescribeTopicPartitionsRequestDataJsonConverter::write, DescribeTopicPartitionsRequestData::new);
    }

    static List<Vector> responses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(response("partitions with ELR, an unknown topic, a next cursor", v, page(), null));
      DescribeTopicPartitionsResponseData m = page();
      Planted planted = new Planted()
          .add(m.topics().find("orders").partitions().get(1).unknownTaggedFields(), "topics[0].partitions[1]", 1, "0101")
          .add(m.topics().find("orders").unknownTaggedFields(), "topics[0]", 0, "")
          .add(m.nextCursor().unknownTaggedFields(), "nextCursor", 2, "ff")
          .add(m.unknownTaggedFields(), "", 1, "00");
      out.add(response("unknown tagged fields from a newer broker", v, m, planted));
      out.add(response("throttled, no topics, no cursor", v, new DescribeTopicPartitionsResponseData().setThrottleTimeMs(40).setNextCursor(null), null));
      return out;
    }

    static DescribeTopicPartitionsResponseData page() {
      DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopicCollection topics =
          new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopicCollection();
      DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic orders = new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic()
          .setErrorCode((short) 0).setName("orders").setTopicId(ORDERS_ID).setIsInternal(false)
          .setTopicAuthorizedOperations(ops(AclOperation.READ, AclOperation.DESCRIBE));
      orders.partitions().add(new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition()
          .setPartitionIndex(0).setLeaderId(1).setLeaderEpoch(5).setReplicaNodes(AdminVectors.ints(1, 2, 3))
          .setIsrNodes(AdminVectors.ints(1, 2)).setEligibleLeaderReplicas(AdminVectors.ints(3)).setLastKnownElr(null)
          .setOfflineReplicas(AdminVectors.ints()));
      // LEADER_NOT_AVAILABLE: the ISR is empty, the last known ELR remembers who was in it
      orders.partitions().add(new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition()
          .setErrorCode((short) 5).setPartitionIndex(1).setLeaderId(-1).setLeaderEpoch(7).setReplicaNodes(AdminVectors.ints(2, 3))
          .setIsrNodes(AdminVectors.ints()).setEligibleLeaderReplicas(AdminVectors.ints()).setLastKnownElr(AdminVectors.ints(2))
          .setOfflineReplicas(AdminVectors.ints(2, 3)));
      topics.add(orders);
      // UNKNOWN_TOPIC_OR_PARTITION
      topics.add(new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic().setErrorCode((short) 3)
          .setName("tëst").setTopicId(Uuid.ZERO_UUID));
      return new DescribeTopicPartitionsResponseData().setThrottleTimeMs(0).setTopics(topics)
          .setNextCursor(new DescribeTopicPartitionsResponseData.Cursor().setTopicName("orders").setPartitionIndex(2));
    }

    static Vector response(String name, short v, DescribeTopicPartitionsResponseData m, Planted planted) {
      return vector(name, "response", v, m, DescribeTopicPartitionsResponseDataJsonConverter::write, DescribeTopicPartitionsResponseData::new, planted);
    }
  }

  /**
   * The consumer-group and offset APIs (keys 8–16, 42, 47, 68, 69) and the ConsumerProtocol bytes
   * carried inside JoinGroup/SyncGroup: one fixture per API plus consumer-protocol.json.
   */
  /** Share groups (KIP-932): ShareGroupHeartbeat, ShareGroupDescribe, ShareFetch, ShareAcknowledge, DescribeShareGroupOffsets. */
  static final class ShareVectors {
    static final String MEMBER = "Zq3xK9pLTtWm0aBcDeFgHw";

    static void writeAll(Path out) throws Exception {
      List<Vector> hb = new ArrayList<>();
      for (short v : versions(ApiKeys.SHARE_GROUP_HEARTBEAT, (short) 1, (short) 1)) {
        hb.add(vector("join with the subscription", "request", v, new ShareGroupHeartbeatRequestData().setGroupId("work-queue")
            .setMemberId(MEMBER).setMemberEpoch(0).setRackId("eu-west-1a").setSubscribedTopicNames(List.of("jobs", "paymënts")),
            ShareGroupHeartbeatRequestDataJsonConverter::write, ShareGroupHeartbeatRequestData::new));
        hb.add(vector("steady state, nothing changed", "request", v, new ShareGroupHeartbeatRequestData().setGroupId("work-queue")
            .setMemberId(MEMBER).setMemberEpoch(4).setRackId(null).setSubscribedTopicNames(null),
            ShareGroupHeartbeatRequestDataJsonConverter::write, ShareGroupHeartbeatRequestData::new));
        hb.add(vector("leave", "request", v, new ShareGroupHeartbeatRequestData().setGroupId("work-queue")
            .setMemberId(MEMBER).setMemberEpoch(-1).setSubscribedTopicNames(null),
            ShareGroupHeartbeatRequestDataJsonConverter::write, ShareGroupHeartbeatRequestData::new));
        List<ShareGroupHeartbeatResponseData.TopicPartitions> tps = new ArrayList<>();
        tps.add(new ShareGroupHeartbeatResponseData.TopicPartitions().setTopicId(ORDERS_ID).setPartitions(new ArrayList<>(List.of(0, 1, 2))));
        tps.add(new ShareGroupHeartbeatResponseData.TopicPartitions().setTopicId(OFFSETS_ID).setPartitions(new ArrayList<>()));
        ShareGroupHeartbeatResponseData joined = new ShareGroupHeartbeatResponseData().setMemberId(MEMBER).setMemberEpoch(1)
            .setHeartbeatIntervalMs(5000).setAssignment(new ShareGroupHeartbeatResponseData.Assignment().setTopicPartitions(tps));
        hb.add(vector("joined, with an assignment", "response", v, joined,
            ShareGroupHeartbeatResponseDataJsonConverter::write, ShareGroupHeartbeatResponseData::new));
        Planted planted = new Planted()
            .add(joined.assignment().topicPartitions().get(0).unknownTaggedFields(), "assignment.topicPartitions[0]", 2, "02")
            .add(joined.assignment().unknownTaggedFields(), "assignment", 0, "")
            .add(joined.unknownTaggedFields(), "", 7, "0707");
        hb.add(vector("unknown tagged fields from a newer broker", "response", v, joined,
            ShareGroupHeartbeatResponseDataJsonConverter::write, ShareGroupHeartbeatResponseData::new, planted));
        hb.add(vector("no change", "response", v, new ShareGroupHeartbeatResponseData().setMemberId(null).setMemberEpoch(9)
            .setHeartbeatIntervalMs(5000).setAssignment(null),
            ShareGroupHeartbeatResponseDataJsonConverter::write, ShareGroupHeartbeatResponseData::new));
        // GROUP_ID_NOT_FOUND with a message
        hb.add(vector("an error", "response", v, new ShareGroupHeartbeatResponseData().setThrottleTimeMs(10).setErrorCode((short) 69)
            .setErrorMessage("The group id does not exist.").setMemberId(null).setMemberEpoch(-1).setHeartbeatIntervalMs(0),
            ShareGroupHeartbeatResponseDataJsonConverter::write, ShareGroupHeartbeatResponseData::new));
      }
      GoldenVectors.write(out.resolve("share-group-heartbeat.json"), "ShareGroupHeartbeat", ApiKeys.SHARE_GROUP_HEARTBEAT, hb);

      List<Vector> describe = new ArrayList<>();
      for (short v : versions(ApiKeys.SHARE_GROUP_DESCRIBE, (short) 1, (short) 1)) {
        describe.add(vector("two groups", "request", v, new ShareGroupDescribeRequestData()
            .setGroupIds(List.of("work-queue", "grüppe")).setIncludeAuthorizedOperations(true),
            ShareGroupDescribeRequestDataJsonConverter::write, ShareGroupDescribeRequestData::new));
        ShareGroupDescribeResponseData m = new ShareGroupDescribeResponseData().setThrottleTimeMs(0);
        List<ShareGroupDescribeResponseData.TopicPartitions> tps = new ArrayList<>();
        tps.add(new ShareGroupDescribeResponseData.TopicPartitions().setTopicId(ORDERS_ID).setTopicName("jobs")
            .setPartitions(new ArrayList<>(List.of(0, 1))));
        List<ShareGroupDescribeResponseData.Member> members = new ArrayList<>();
        members.add(new ShareGroupDescribeResponseData.Member().setMemberId(MEMBER).setRackId(null).setMemberEpoch(3)
            .setClientId("kafkawire").setClientHost("/127.0.0.1").setSubscribedTopicNames(List.of("jobs"))
            .setAssignment(new ShareGroupDescribeResponseData.Assignment().setTopicPartitions(tps)));
        members.add(new ShareGroupDescribeResponseData.Member().setMemberId("AAAAAAAAAAAAAAAAAAAAAA").setRackId("rack-2").setMemberEpoch(3)
            .setClientId("java-share").setClientHost("/10.0.0.2").setSubscribedTopicNames(List.of("jobs"))
            .setAssignment(new ShareGroupDescribeResponseData.Assignment().setTopicPartitions(new ArrayList<>())));
        m.groups().add(new ShareGroupDescribeResponseData.DescribedGroup().setGroupId("work-queue").setGroupState("Stable")
            .setGroupEpoch(5).setAssignmentEpoch(5).setAssignorName("simple").setMembers(members).setAuthorizedOperations(3456));
        // GROUP_ID_NOT_FOUND
        m.groups().add(new ShareGroupDescribeResponseData.DescribedGroup().setGroupId("grüppe").setErrorCode((short) 69)
            .setErrorMessage("Group grüppe not found.").setGroupState("Dead").setAssignorName(""));
        describe.add(vector("a stable group and a missing one", "response", v, m,
            ShareGroupDescribeResponseDataJsonConverter::write, ShareGroupDescribeResponseData::new));
      }
      GoldenVectors.write(out.resolve("share-group-describe.json"), "ShareGroupDescribe", ApiKeys.SHARE_GROUP_DESCRIBE, describe);

      List<Vector> fetch = new ArrayList<>();
      for (short v : versions(ApiKeys.SHARE_FETCH, (short) 1, (short) 2)) {
        ShareFetchRequestData open = new ShareFetchRequestData().setGroupId("work-queue").setMemberId(MEMBER).setShareSessionEpoch(0)
            .setMaxWaitMs(500).setMinBytes(1).setMaxBytes(52428800).setMaxRecords(500).setBatchSize(500);
        if (v >= 2) open.setShareAcquireMode((byte) 0);
        ShareFetchRequestData.FetchTopic t = new ShareFetchRequestData.FetchTopic().setTopicId(ORDERS_ID);
        t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(1));
        open.topics().add(t);
        fetch.add(vector("open a session", "request", v, open, ShareFetchRequestDataJsonConverter::write, ShareFetchRequestData::new));
        ShareFetchRequestData next = new ShareFetchRequestData().setGroupId("work-queue").setMemberId(MEMBER).setShareSessionEpoch(7)
            .setMaxWaitMs(500).setMinBytes(1).setMaxBytes(52428800).setMaxRecords(100).setBatchSize(100);
        if (v >= 2) next.setShareAcquireMode((byte) 1);
        ShareFetchRequestData.FetchTopic acks = new ShareFetchRequestData.FetchTopic().setTopicId(ORDERS_ID);
        ShareFetchRequestData.FetchPartition p0 = new ShareFetchRequestData.FetchPartition().setPartitionIndex(0);
        // offsets past 2^53; one type for a range, and one per offset (accept, release, reject, a gap)
        p0.acknowledgementBatches().add(new ShareFetchRequestData.AcknowledgementBatch().setFirstOffset(9007199254740993L)
            .setLastOffset(9007199254741000L).setAcknowledgeTypes(new ArrayList<>(List.of((byte) 1))));
        p0.acknowledgementBatches().add(new ShareFetchRequestData.AcknowledgementBatch().setFirstOffset(9007199254741001L)
            .setLastOffset(9007199254741004L).setAcknowledgeTypes(new ArrayList<>(List.of((byte) 1, (byte) 2, (byte) 3, (byte) 0))));
        acks.partitions().add(p0);
        next.topics().add(acks);
        next.forgottenTopicsData().add(new ShareFetchRequestData.ForgottenTopic().setTopicId(OFFSETS_ID)
            .setPartitions(new ArrayList<>(List.of(3, 4))));
        fetch.add(vector("acknowledgements and a forgotten topic", "request", v, next, ShareFetchRequestDataJsonConverter::write, ShareFetchRequestData::new));
        ShareFetchRequestData close = new ShareFetchRequestData().setGroupId(null).setMemberId(MEMBER).setShareSessionEpoch(-1)
            .setMaxWaitMs(0).setMinBytes(0).setMaxBytes(0).setMaxRecords(0).setBatchSize(0);
        fetch.add(vector("close the session", "request", v, close, ShareFetchRequestDataJsonConverter::write, ShareFetchRequestData::new));

        ShareFetchResponseData r = new ShareFetchResponseData().setThrottleTimeMs(3).setAcquisitionLockTimeoutMs(30000);
        ShareFetchResponseData.ShareFetchableTopicResponse rt = new ShareFetchResponseData.ShareFetchableTopicResponse().setTopicId(ORDERS_ID);
        ShareFetchResponseData.PartitionData rp0 = new ShareFetchResponseData.PartitionData().setPartitionIndex(0)
            .setRecords(batch(100L, record(1700000000000L, "k1", "v1", new RecordHeader("trace", utf8("abc"))),
                record(1700000000005L, null, "no key"), record(1700000000009L, "k3", null)));
        rp0.acquiredRecords().add(new ShareFetchResponseData.AcquiredRecords().setFirstOffset(100).setLastOffset(100).setDeliveryCount((short) 1));
        rp0.acquiredRecords().add(new ShareFetchResponseData.AcquiredRecords().setFirstOffset(102).setLastOffset(102).setDeliveryCount((short) 3));
        rt.partitions().add(rp0);
        // NOT_LEADER_OR_FOLLOWER with the new leader; an acknowledgement refused (INVALID_RECORD_STATE)
        rt.partitions().add(new ShareFetchResponseData.PartitionData().setPartitionIndex(1).setErrorCode((short) 6)
            .setAcknowledgeErrorCode((short) 121).setAcknowledgeErrorMessage("The record state is invalid.")
            .setCurrentLeader(new ShareFetchResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(8))
            .setRecords(MemoryRecords.EMPTY));
        r.responses().add(rt);
        r.nodeEndpoints().add(new ShareFetchResponseData.NodeEndpoint().setNodeId(2).setHost("broker-2.kafka.internal").setPort(9093).setRack(null));
        Vector x = vector("acquired records, a moved leader, a refused acknowledgement", "response", v, r,
            ShareFetchResponseDataJsonConverter::write, ShareFetchResponseData::new);
        putRecords(x.json(), List.of(rp0.records(), MemoryRecords.EMPTY));
        fetch.add(x);
        // INVALID_SHARE_SESSION_EPOCH: a top-level error
        Vector err = vector("share session epoch refused", "response", v, new ShareFetchResponseData().setErrorCode((short) 123)
            .setErrorMessage("The share session epoch is invalid."), ShareFetchResponseDataJsonConverter::write, ShareFetchResponseData::new);
        fetch.add(err);
      }
      GoldenVectors.write(out.resolve("share-fetch.json"), "ShareFetch", ApiKeys.SHARE_FETCH, fetch);

      List<Vector> ack = new ArrayList<>();
      for (short v : versions(ApiKeys.SHARE_ACKNOWLEDGE, (short) 1, (short) 2)) {
        ShareAcknowledgeRequestData m = new ShareAcknowledgeRequestData().setGroupId("work-queue").setMemberId(MEMBER).setShareSessionEpoch(3);
        ShareAcknowledgeRequestData.AcknowledgeTopic t = new ShareAcknowledgeRequestData.AcknowledgeTopic().setTopicId(ORDERS_ID);
        ShareAcknowledgeRequestData.AcknowledgePartition p = new ShareAcknowledgeRequestData.AcknowledgePartition().setPartitionIndex(0);
        p.acknowledgementBatches().add(new ShareAcknowledgeRequestData.AcknowledgementBatch().setFirstOffset(10).setLastOffset(19)
            .setAcknowledgeTypes(new ArrayList<>(List.of((byte) 1))));
        p.acknowledgementBatches().add(new ShareAcknowledgeRequestData.AcknowledgementBatch().setFirstOffset(20).setLastOffset(21)
            .setAcknowledgeTypes(new ArrayList<>(List.of((byte) 2, (byte) 3))));
        t.partitions().add(p);
        m.topics().add(t);
        ack.add(vector("accept, release, reject", "request", v, m, ShareAcknowledgeRequestDataJsonConverter::write, ShareAcknowledgeRequestData::new));
        ShareAcknowledgeRequestData closing = new ShareAcknowledgeRequestData().setGroupId(null).setMemberId(MEMBER).setShareSessionEpoch(-1);
        ack.add(vector("close the session", "request", v, closing, ShareAcknowledgeRequestDataJsonConverter::write, ShareAcknowledgeRequestData::new));
        ShareAcknowledgeResponseData r = new ShareAcknowledgeResponseData().setThrottleTimeMs(0);
        if (v >= 2) r.setAcquisitionLockTimeoutMs(15000);
        ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse rt = new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse().setTopicId(ORDERS_ID);
        rt.partitions().add(new ShareAcknowledgeResponseData.PartitionData().setPartitionIndex(0));
        rt.partitions().add(new ShareAcknowledgeResponseData.PartitionData().setPartitionIndex(1).setErrorCode((short) 121)
            .setErrorMessage("The record state is invalid.")
            .setCurrentLeader(new ShareAcknowledgeResponseData.LeaderIdAndEpoch().setLeaderId(1).setLeaderEpoch(4)));
        r.responses().add(rt);
        r.nodeEndpoints().add(new ShareAcknowledgeResponseData.NodeEndpoint().setNodeId(1).setHost("10.0.0.1").setPort(9092).setRack("eu-west-1b"));
        ack.add(vector("one partition refused", "response", v, r, ShareAcknowledgeResponseDataJsonConverter::write, ShareAcknowledgeResponseData::new));
      }
      GoldenVectors.write(out.resolve("share-acknowledge.json"), "ShareAcknowledge", ApiKeys.SHARE_ACKNOWLEDGE, ack);

      List<Vector> offsets = new ArrayList<>();
      for (short v : versions(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, (short) 0, (short) 1)) {
        DescribeShareGroupOffsetsRequestData m = new DescribeShareGroupOffsetsRequestData();
        DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g =
            new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup().setGroupId("work-queue");
        g.setTopics(new ArrayList<>(List.of(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic()
            .setTopicName("jobs").setPartitions(new ArrayList<>(List.of(0, 1))))));
        m.groups().add(g);
        m.groups().add(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup().setGroupId("grüppe").setTopics(null));
        offsets.add(vector("named partitions, and all of a group", "request", v, m,
            DescribeShareGroupOffsetsRequestDataJsonConverter::write, DescribeShareGroupOffsetsRequestData::new));
        DescribeShareGroupOffsetsResponseData r = new DescribeShareGroupOffsetsResponseData().setThrottleTimeMs(0);
        List<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition> ps = new ArrayList<>();
        DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition q0 =
            new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition().setPartitionIndex(0)
                .setStartOffset(9007199254740993L).setLeaderEpoch(2);
        if (v >= 1) q0.setLag(7);
        ps.add(q0);
        ps.add(new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition().setPartitionIndex(1)
            .setStartOffset(-1).setLeaderEpoch(-1).setErrorCode((short) 3).setErrorMessage("This server does not host this topic-partition."));
        List<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic> ts = new ArrayList<>();
        ts.add(new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic().setTopicName("jobs")
            .setTopicId(ORDERS_ID).setPartitions(ps));
        r.groups().add(new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup().setGroupId("work-queue").setTopics(ts));
        r.groups().add(new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup().setGroupId("grüppe")
            .setErrorCode((short) 69).setErrorMessage("Group grüppe not found."));
        offsets.add(vector("start offsets, an unknown partition, a missing group", "response", v, r,
            DescribeShareGroupOffsetsResponseDataJsonConverter::write, DescribeShareGroupOffsetsResponseData::new));
      }
      GoldenVectors.write(out.resolve("describe-share-group-offsets.json"), "DescribeShareGroupOffsets",
          ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, offsets);
    }
  }

  static final class GroupVectors {
    record Range(ApiKeys api, String file, short min, short max) {}

    /** The version ranges src/protocol/apis implements, in key order. */
    static final List<Range> RANGES = List.of(
        new Range(ApiKeys.OFFSET_COMMIT, "offset-commit", (short) 2, (short) 9),
        new Range(ApiKeys.OFFSET_FETCH, "offset-fetch", (short) 1, (short) 9),
        new Range(ApiKeys.FIND_COORDINATOR, "find-coordinator", (short) 0, (short) 6),
        new Range(ApiKeys.JOIN_GROUP, "join-group", (short) 2, (short) 9),
        new Range(ApiKeys.HEARTBEAT, "heartbeat", (short) 0, (short) 4),
        new Range(ApiKeys.LEAVE_GROUP, "leave-group", (short) 0, (short) 5),
        new Range(ApiKeys.SYNC_GROUP, "sync-group", (short) 0, (short) 5),
        new Range(ApiKeys.DESCRIBE_GROUPS, "describe-groups", (short) 0, (short) 5),
        new Range(ApiKeys.LIST_GROUPS, "list-groups", (short) 0, (short) 5),
        new Range(ApiKeys.DELETE_GROUPS, "delete-groups", (short) 0, (short) 2),
        new Range(ApiKeys.OFFSET_DELETE, "offset-delete", (short) 0, (short) 0),
        new Range(ApiKeys.CONSUMER_GROUP_HEARTBEAT, "consumer-group-heartbeat", (short) 0, (short) 1),
        new Range(ApiKeys.CONSUMER_GROUP_DESCRIBE, "consumer-group-describe", (short) 0, (short) 0));

    static final String MEMBER_1 = "consumer-orders-app-1-6f1c9a0e-5d2b-4a8e-9c11-2b7e0d4f8a31";
    static final String MEMBER_2 = "consumer-orders-app-2-0b8d3e52-7a41-4c0f-b6e9-93d1a5c2e7f4";
    /** A KIP-848 member id: a UUID the member generates (KIP-1082). */
    static final String MEMBER_UUID = "Wv2ZKp0ZQOm2Qd1T8xQq3A";

    static void writeAll(Path out) throws Exception {
      for (Range r : RANGES) {
        List<Vector> vectors = new ArrayList<>();
        for (short v : versions(r.api, r.min, r.max)) {
          vectors.addAll(requests(r.api, v));
          vectors.addAll(responses(r.api, v));
        }
        String name = r.api.name;
        write(out.resolve(r.file + ".json"), name, r.api, vectors);
      }
      write(out.resolve("consumer-protocol.json"), "ConsumerProtocol", null, consumerProtocol());
    }

    /** Header vectors for these APIs, correlation ids from `correlationId`; returns the next one. */
    static int headers(List<Vector> out, int correlationId) {
      for (Range r : RANGES) {
        for (short v : versions(r.api, r.min, r.max)) {
          out.add(requestHeader(r.api.name + " v" + v, r.api, v, correlationId, "kafkawire"));
          out.add(responseHeader(r.api.name + " v" + v, r.api, v, correlationId));
          correlationId++;
        }
      }
      return correlationId;
    }

    static List<Vector> requests(ApiKeys api, short v) {
      return switch (api) {
        case OFFSET_COMMIT -> offsetCommitRequests(v);
        case OFFSET_FETCH -> offsetFetchRequests(v);
        case FIND_COORDINATOR -> findCoordinatorRequests(v);
        case JOIN_GROUP -> joinGroupRequests(v);
        case HEARTBEAT -> heartbeatRequests(v);
        case LEAVE_GROUP -> leaveGroupRequests(v);
        case SYNC_GROUP -> syncGroupRequests(v);
        case DESCRIBE_GROUPS -> describeGroupsRequests(v);
        case LIST_GROUPS -> listGroupsRequests(v);
        case DELETE_GROUPS -> deleteGroupsRequests(v);
        case OFFSET_DELETE -> offsetDeleteRequests(v);
        case CONSUMER_GROUP_HEARTBEAT -> consumerGroupHeartbeatRequests(v);
        case CONSUMER_GROUP_DESCRIBE -> consumerGroupDescribeRequests(v);
        default -> throw new IllegalArgumentException(api.name);
      };
    }

    static List<Vector> responses(ApiKeys api, short v) {
      return switch (api) {
        case OFFSET_COMMIT -> offsetCommitResponses(v);
        case OFFSET_FETCH -> offsetFetchResponses(v);
        case FIND_COORDINATOR -> findCoordinatorResponses(v);
        case JOIN_GROUP -> joinGroupResponses(v);
        case HEARTBEAT -> heartbeatResponses(v);
        case LEAVE_GROUP -> leaveGroupResponses(v);
        case SYNC_GROUP -> syncGroupResponses(v);
        case DESCRIBE_GROUPS -> describeGroupsResponses(v);
        case LIST_GROUPS -> listGroupsResponses(v);
        case DELETE_GROUPS -> deleteGroupsResponses(v);
        case OFFSET_DELETE -> offsetDeleteResponses(v);
        case CONSUMER_GROUP_HEARTBEAT -> consumerGroupHeartbeatResponses(v);
        case CONSUMER_GROUP_DESCRIBE -> consumerGroupDescribeResponses(v);
        default -> throw new IllegalArgumentException(api.name);
      };
    }

    static List<Integer> ints(Integer... values) {
      return new ArrayList<>(List.of(values));
    }

    static List<String> strings(String... values) {
      return new ArrayList<>(List.of(values));
    }

    /** Whether `v` of `api` is flexible (only then can unknown tagged fields be planted). */
    static boolean flexible(ApiKeys api, short v) {
      return api.requestHeaderVersion(v) >= 2;
    }

    // ---- ConsumerProtocol subscription and assignment bytes, as the Java consumer writes them.

    /** A v3 subscription with every field set; fields a version lacks are dropped (all are ignorable). */
    static ConsumerProtocolSubscription fullSubscription() {
      ConsumerProtocolSubscription s = new ConsumerProtocolSubscription()
          .setTopics(strings("orders", "payments"))
          .setUserData(ByteBuffer.wrap(utf8("sticky-é")))
          .setGenerationId(7)
          .setRackId("eu-west-1a");
      s.ownedPartitions().add(new ConsumerProtocolSubscription.TopicPartition().setTopic("orders").setPartitions(ints(0, 2)));
      s.ownedPartitions().add(new ConsumerProtocolSubscription.TopicPartition().setTopic("payments").setPartitions(ints(1)));
      return s;
    }

    static ConsumerProtocolAssignment fullAssignment() {
      ConsumerProtocolAssignment a = new ConsumerProtocolAssignment().setUserData(ByteBuffer.wrap(utf8("abc")));
      a.assignedPartitions().add(new ConsumerProtocolAssignment.TopicPartition().setTopic("orders").setPartitions(ints(0, 1)));
      a.assignedPartitions().add(new ConsumerProtocolAssignment.TopicPartition().setTopic("payments").setPartitions(ints(3)));
      return a;
    }

    static byte[] subscriptionBytes(String... topics) {
      return MessageUtil.toVersionPrefixedBytes((short) 3, new ConsumerProtocolSubscription().setTopics(strings(topics)));
    }

    static byte[] assignmentBytes(String topic, Integer... partitions) {
      ConsumerProtocolAssignment a = new ConsumerProtocolAssignment();
      a.assignedPartitions().add(new ConsumerProtocolAssignment.TopicPartition().setTopic(topic).setPartitions(ints(partitions)));
      return MessageUtil.toVersionPrefixedBytes((short) 3, a);
    }

    static List<Vector> consumerProtocol() {
      List<Vector> out = new ArrayList<>();
      short sMax = ConsumerProtocolSubscription.HIGHEST_SUPPORTED_VERSION;
      for (short v = ConsumerProtocolSubscription.LOWEST_SUPPORTED_VERSION; v <= sMax; v++) {
        out.add(subscription("two topics, user data, owned partitions, generation, rack", v, fullSubscription()));
        out.add(subscription("one topic, null user data, defaults", v,
            new ConsumerProtocolSubscription().setTopics(strings("tëst")).setUserData(null)));
        // The Java consumer's own path sorts topics and owned partitions.
        ConsumerPartitionAssignor.Subscription javaSub = new ConsumerPartitionAssignor.Subscription(
            List.of("payments", "orders"), null,
            List.of(new TopicPartition("payments", 1), new TopicPartition("orders", 2), new TopicPartition("orders", 0)),
            4, Optional.of("rack-b"));
        byte[] bytes = bytesOf(ConsumerProtocol.serializeSubscription(javaSub, v));
        out.add(protocolVector("as ConsumerProtocol.serializeSubscription writes it", "subscription", v, bytes,
            ConsumerProtocolSubscriptionJsonConverter.write(ConsumerProtocol.deserializeConsumerProtocolSubscription(ByteBuffer.wrap(bytes)), v)));
      }
      // A newer member (version 5, say) appends fields; a reader reads the fields it knows.
      byte[] known = MessageUtil.toVersionPrefixedBytes(sMax, fullSubscription());
      byte[] newer = appendAndBump(known, (short) 5, "0000002a00036e6577");
      out.add(protocolVector("version 5 from a newer client, read as v" + sMax, "subscription", (short) 5, newer,
          ConsumerProtocolSubscriptionJsonConverter.write(ConsumerProtocol.deserializeConsumerProtocolSubscription(ByteBuffer.wrap(newer)), sMax)));

      short aMax = ConsumerProtocolAssignment.HIGHEST_SUPPORTED_VERSION;
      for (short v = ConsumerProtocolAssignment.LOWEST_SUPPORTED_VERSION; v <= aMax; v++) {
        out.add(assignment("two topics with user data", v, fullAssignment()));
        out.add(assignment("nothing assigned, null user data", v, new ConsumerProtocolAssignment().setUserData(null)));
        ConsumerPartitionAssignor.Assignment javaAssignment = new ConsumerPartitionAssignor.Assignment(
            List.of(new TopicPartition("payments", 3), new TopicPartition("orders", 1), new TopicPartition("orders", 0)),
            ByteBuffer.wrap(utf8("u")));
        byte[] bytes = bytesOf(ConsumerProtocol.serializeAssignment(javaAssignment, v));
        out.add(protocolVector("as ConsumerProtocol.serializeAssignment writes it", "assignment", v, bytes,
            ConsumerProtocolAssignmentJsonConverter.write(ConsumerProtocol.deserializeConsumerProtocolAssignment(ByteBuffer.wrap(bytes)), v)));
      }
      byte[] knownA = MessageUtil.toVersionPrefixedBytes(aMax, fullAssignment());
      byte[] newerA = appendAndBump(knownA, (short) 4, "ffffffff");
      out.add(protocolVector("version 4 from a newer client, read as v" + aMax, "assignment", (short) 4, newerA,
          ConsumerProtocolAssignmentJsonConverter.write(ConsumerProtocol.deserializeConsumerProtocolAssignment(ByteBuffer.wrap(newerA)), aMax)));
      return out;
    }

    static Vector subscription(String name, short v, ConsumerProtocolSubscription m) {
      byte[] bytes = MessageUtil.toVersionPrefixedBytes(v, m);
      JsonNode json = ConsumerProtocolSubscriptionJsonConverter.write(m, v);
      JsonNode back = ConsumerProtocolSubscriptionJsonConverter.write(
          ConsumerProtocol.deserializeConsumerProtocolSubscription(ByteBuffer.wrap(bytes)), v);
      if (!back.equals(json)) throw new IllegalStateException(name + " v" + v + ": read back " + back + " but wrote " + json);
      return protocolVector(name, "subscription", v, bytes, json);
    }

    static Vector assignment(String name, short v, ConsumerProtocolAssignment m) {
      byte[] bytes = MessageUtil.toVersionPrefixedBytes(v, m);
      JsonNode json = ConsumerProtocolAssignmentJsonConverter.write(m, v);
      JsonNode back = ConsumerProtocolAssignmentJsonConverter.write(
          ConsumerProtocol.deserializeConsumerProtocolAssignment(ByteBuffer.wrap(bytes)), v);
      if (!back.equals(json)) throw new IllegalStateException(name + " v" + v + ": read back " + back + " but wrote " + json);
      return protocolVector(name, "assignment", v, bytes, json);
    }

    static Vector protocolVector(String name, String kind, short v, byte[] bytes, JsonNode json) {
      return new Vector(name, kind, v, bytes, json, null, (short) -1, null);
    }

    static byte[] bytesOf(ByteBuffer buf) {
      ByteBuffer b = buf.duplicate();
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    }

    /** `bytes` with its int16 version prefix set to `version` and `extraHex` appended. */
    static byte[] appendAndBump(byte[] bytes, short version, String extraHex) {
      byte[] extra = HexFormat.of().parseHex(extraHex);
      ByteBuffer b = ByteBuffer.allocate(bytes.length + extra.length).put(bytes).put(extra);
      b.putShort(0, version);
      return b.array();
    }

    // ---- OffsetCommit (key 8)

    static List<Vector> offsetCommitRequests(short v) {
      List<Vector> out = new ArrayList<>();
      OffsetCommitRequestData m = new OffsetCommitRequestData().setGroupId("orders-app")
          .setGenerationIdOrMemberEpoch(7).setMemberId(MEMBER_1).setRetentionTimeMs(86400000L);
      OffsetCommitRequestData.OffsetCommitRequestTopic orders = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders");
      orders.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
          .setCommittedOffset(100).setCommittedLeaderEpoch(5).setCommittedMetadata(""));
      orders.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(1)
          .setCommittedOffset(9007199254740993L).setCommittedLeaderEpoch(5).setCommittedMetadata(null));
      m.topics().add(orders);
      OffsetCommitRequestData.OffsetCommitRequestTopic payments = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("payments");
      payments.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(3)
          .setCommittedOffset(0).setCommittedMetadata("métadonnée"));
      m.topics().add(payments);
      out.add(offsetCommitRequest("group member commits two topics", v, m));

      OffsetCommitRequestData simple = new OffsetCommitRequestData().setGroupId("standalone")
          .setGenerationIdOrMemberEpoch(-1).setMemberId("");
      OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders");
      t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(2)
          .setCommittedOffset(42).setCommittedMetadata("m"));
      simple.topics().add(t);
      out.add(offsetCommitRequest("standalone commit, no generation or member", v, simple));

      if (v >= 7) {
        OffsetCommitRequestData stat = new OffsetCommitRequestData().setGroupId("orders-app")
            .setGenerationIdOrMemberEpoch(12).setMemberId(MEMBER_UUID).setGroupInstanceId("instance-1");
        out.add(offsetCommitRequest("static member, no topics", v, stat));
      }
      return out;
    }

    static Vector offsetCommitRequest(String name, short v, OffsetCommitRequestData m) {
      return vector(name, "request", v, m, OffsetCommitRequestDataJsonConverter::write, OffsetCommitRequestData::new);
    }

    static List<Vector> offsetCommitResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(offsetCommitResponse("per-partition results", v, offsetCommitResults(), null));
      if (flexible(ApiKeys.OFFSET_COMMIT, v)) {
        OffsetCommitResponseData m = offsetCommitResults();
        Planted planted = new Planted()
            .add(m.topics().get(0).partitions().get(1).unknownTaggedFields(), "topics[0].partitions[1]", 3, "01")
            .add(m.topics().get(1).unknownTaggedFields(), "topics[1]", 0, "")
            .add(m.unknownTaggedFields(), "", 9, "cafe");
        out.add(offsetCommitResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(offsetCommitResponse("throttled, no topics", v, new OffsetCommitResponseData().setThrottleTimeMs(100), null));
      return out;
    }

    static OffsetCommitResponseData offsetCommitResults() {
      OffsetCommitResponseData m = new OffsetCommitResponseData().setThrottleTimeMs(0);
      OffsetCommitResponseData.OffsetCommitResponseTopic orders = new OffsetCommitResponseData.OffsetCommitResponseTopic().setName("orders");
      orders.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(0).setErrorCode((short) 0));
      // OFFSET_METADATA_TOO_LARGE
      orders.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(1).setErrorCode((short) 12));
      m.topics().add(orders);
      OffsetCommitResponseData.OffsetCommitResponseTopic payments = new OffsetCommitResponseData.OffsetCommitResponseTopic().setName("payments");
      // ILLEGAL_GENERATION
      payments.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(3).setErrorCode((short) 22));
      m.topics().add(payments);
      return m;
    }

    static Vector offsetCommitResponse(String name, short v, OffsetCommitResponseData m, Planted planted) {
      return vector(name, "response", v, m, OffsetCommitResponseDataJsonConverter::write, OffsetCommitResponseData::new, planted);
    }

    // ---- OffsetFetch (key 9)

    static List<Vector> offsetFetchRequests(short v) {
      List<Vector> out = new ArrayList<>();
      if (v <= 7) {
        OffsetFetchRequestData m = new OffsetFetchRequestData().setGroupId("orders-app");
        m.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("orders").setPartitionIndexes(ints(0, 1, 2)));
        m.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("payments").setPartitionIndexes(ints(3)));
        if (v >= 7) m.setRequireStable(true);
        out.add(offsetFetchRequest("one group, two topics", v, m));
        if (v >= 2) out.add(offsetFetchRequest("one group, all topics", v, new OffsetFetchRequestData().setGroupId("grüppe").setTopics(null)));
      } else {
        OffsetFetchRequestData m = new OffsetFetchRequestData().setRequireStable(true);
        OffsetFetchRequestData.OffsetFetchRequestGroup app = new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("orders-app");
        if (v >= 9) app.setMemberId(MEMBER_UUID).setMemberEpoch(12);
        app.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("orders").setPartitionIndexes(ints(0, 1, 2)));
        app.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("payments").setPartitionIndexes(ints(3)));
        m.groups().add(app);
        m.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("audit").setTopics(null));
        out.add(offsetFetchRequest("two groups, one for all topics", v, m));
        OffsetFetchRequestData one = new OffsetFetchRequestData();
        one.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("grüppe").setTopics(null));
        out.add(offsetFetchRequest("one group, all topics", v, one));
      }
      return out;
    }

    static Vector offsetFetchRequest(String name, short v, OffsetFetchRequestData m) {
      return vector(name, "request", v, m, OffsetFetchRequestDataJsonConverter::write, OffsetFetchRequestData::new);
    }

    static List<Vector> offsetFetchResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(offsetFetchResponse("committed, missing and unstable offsets", v, offsetFetchResults(v), null));
      if (flexible(ApiKeys.OFFSET_FETCH, v)) {
        OffsetFetchResponseData m = offsetFetchResults(v);
        Planted planted = new Planted();
        if (v <= 7) {
          planted.add(m.topics().get(0).partitions().get(0).unknownTaggedFields(), "topics[0].partitions[0]", 2, "00ff")
              .add(m.topics().get(0).unknownTaggedFields(), "topics[0]", 1, "");
        } else {
          planted.add(m.groups().get(0).topics().get(0).partitions().get(0).unknownTaggedFields(), "groups[0].topics[0].partitions[0]", 2, "00ff")
              .add(m.groups().get(0).topics().get(0).unknownTaggedFields(), "groups[0].topics[0]", 1, "")
              .add(m.groups().get(1).unknownTaggedFields(), "groups[1]", 4, "abcdef");
        }
        planted.add(m.unknownTaggedFields(), "", 8, "11");
        out.add(offsetFetchResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      if (v >= 2 && v <= 7) {
        // COORDINATOR_LOAD_IN_PROGRESS: a group-level error
        out.add(offsetFetchResponse("coordinator loading", v,
            new OffsetFetchResponseData().setThrottleTimeMs(20).setErrorCode((short) 14), null));
      }
      return out;
    }

    static OffsetFetchResponseData offsetFetchResults(short v) {
      OffsetFetchResponseData m = new OffsetFetchResponseData().setThrottleTimeMs(0);
      if (v <= 7) {
        OffsetFetchResponseData.OffsetFetchResponseTopic orders = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName("orders");
        orders.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(0)
            .setCommittedOffset(100).setCommittedLeaderEpoch(5).setMetadata("").setErrorCode((short) 0));
        // no committed offset
        orders.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(1)
            .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata(null).setErrorCode((short) 0));
        // UNSTABLE_OFFSET_COMMIT (KIP-447) from v7, UNKNOWN_TOPIC_OR_PARTITION before
        orders.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(2)
            .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("").setErrorCode((short) (v >= 7 ? 88 : 3)));
        m.topics().add(orders);
        OffsetFetchResponseData.OffsetFetchResponseTopic payments = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName("payments");
        payments.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(3)
            .setCommittedOffset(9007199254740993L).setCommittedLeaderEpoch(9).setMetadata("métadonnée").setErrorCode((short) 0));
        m.topics().add(payments);
        m.setErrorCode((short) 0);
      } else {
        OffsetFetchResponseData.OffsetFetchResponseGroup app = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId("orders-app");
        OffsetFetchResponseData.OffsetFetchResponseTopics orders = new OffsetFetchResponseData.OffsetFetchResponseTopics().setName("orders");
        orders.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(0)
            .setCommittedOffset(100).setCommittedLeaderEpoch(5).setMetadata("").setErrorCode((short) 0));
        orders.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(1)
            .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata(null).setErrorCode((short) 0));
        orders.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(2)
            .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("").setErrorCode((short) 88));
        app.topics().add(orders);
        OffsetFetchResponseData.OffsetFetchResponseTopics payments = new OffsetFetchResponseData.OffsetFetchResponseTopics().setName("payments");
        payments.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(3)
            .setCommittedOffset(9007199254740993L).setCommittedLeaderEpoch(9).setMetadata("métadonnée").setErrorCode((short) 0));
        app.topics().add(payments);
        m.groups().add(app);
        // GROUP_AUTHORIZATION_FAILED for the second group only
        m.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId("audit").setErrorCode((short) 30));
      }
      return m;
    }

    static Vector offsetFetchResponse(String name, short v, OffsetFetchResponseData m, Planted planted) {
      return vector(name, "response", v, m, OffsetFetchResponseDataJsonConverter::write, OffsetFetchResponseData::new, planted);
    }

    // ---- FindCoordinator (key 10)

    static List<Vector> findCoordinatorRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(findCoordinatorRequest("group coordinator", v, findCoordinator(v, (byte) 0, "orders-app")));
      if (v >= 1) out.add(findCoordinatorRequest("transaction coordinator", v, findCoordinator(v, (byte) 1, "txn-é")));
      if (v >= 4) {
        out.add(findCoordinatorRequest("three group coordinators at once", v, new FindCoordinatorRequestData()
            .setKeyType((byte) 0).setCoordinatorKeys(strings("orders-app", "audit", "grüppe"))));
      }
      if (v >= 6) {
        // KIP-932: a share coordinator's key is "groupId:topicId:partition"
        out.add(findCoordinatorRequest("share coordinator", v, findCoordinator(v, (byte) 2, "share-app:" + ORDERS_ID + ":0")));
      }
      return out;
    }

    static FindCoordinatorRequestData findCoordinator(short v, byte keyType, String key) {
      FindCoordinatorRequestData m = new FindCoordinatorRequestData().setKeyType(keyType);
      return v >= 4 ? m.setCoordinatorKeys(strings(key)) : m.setKey(key);
    }

    static Vector findCoordinatorRequest(String name, short v, FindCoordinatorRequestData m) {
      return vector(name, "request", v, m, FindCoordinatorRequestDataJsonConverter::write, FindCoordinatorRequestData::new);
    }

    static List<Vector> findCoordinatorResponses(short v) {
      List<Vector> out = new ArrayList<>();
      if (v <= 3) {
        out.add(findCoordinatorResponse("coordinator found", v, new FindCoordinatorResponseData().setThrottleTimeMs(0)
            .setErrorCode((short) 0).setErrorMessage(null).setNodeId(2).setHost("broker-2.kafka.internal").setPort(9093), null));
        // COORDINATOR_NOT_AVAILABLE
        out.add(findCoordinatorResponse("coordinator not available", v, new FindCoordinatorResponseData().setThrottleTimeMs(15)
            .setErrorCode((short) 15).setErrorMessage("The coordinator is not available.").setNodeId(-1).setHost("").setPort(-1), null));
        if (v == 3) {
          FindCoordinatorResponseData m = new FindCoordinatorResponseData().setNodeId(1).setHost("10.0.0.1").setPort(9092);
          Planted planted = new Planted().add(m.unknownTaggedFields(), "", 0, "0102");
          out.add(findCoordinatorResponse("unknown tagged fields from a newer broker", v, m, planted));
        }
      } else {
        out.add(findCoordinatorResponse("two keys, one without a coordinator", v, coordinators(), null));
        FindCoordinatorResponseData m = coordinators();
        Planted planted = new Planted()
            .add(m.coordinators().get(1).unknownTaggedFields(), "coordinators[1]", 6, "00")
            .add(m.unknownTaggedFields(), "", 3, "");
        out.add(findCoordinatorResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static FindCoordinatorResponseData coordinators() {
      FindCoordinatorResponseData m = new FindCoordinatorResponseData().setThrottleTimeMs(5);
      m.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey("orders-app").setNodeId(2)
          .setHost("broker-2.kafka.internal").setPort(9093).setErrorCode((short) 0).setErrorMessage(null));
      // COORDINATOR_LOAD_IN_PROGRESS
      m.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey("grüppe").setNodeId(-1)
          .setHost("").setPort(-1).setErrorCode((short) 14).setErrorMessage("Coordinator loading"));
      return m;
    }

    static Vector findCoordinatorResponse(String name, short v, FindCoordinatorResponseData m, Planted planted) {
      return vector(name, "response", v, m, FindCoordinatorResponseDataJsonConverter::write, FindCoordinatorResponseData::new, planted);
    }

    // ---- JoinGroup (key 11)

    static List<Vector> joinGroupRequests(short v) {
      List<Vector> out = new ArrayList<>();
      JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
      protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
          .setMetadata(MessageUtil.toVersionPrefixedBytes((short) 3, fullSubscription())));
      protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("cooperative-sticky")
          .setMetadata(subscriptionBytes("orders")));
      out.add(joinGroupRequest("first join, no member id yet", v, new JoinGroupRequestData().setGroupId("orders-app")
          .setSessionTimeoutMs(45000).setRebalanceTimeoutMs(300000).setMemberId("").setProtocolType("consumer")
          .setProtocols(protocols)));

      JoinGroupRequestData.JoinGroupRequestProtocolCollection one = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
      one.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
      JoinGroupRequestData rejoin = new JoinGroupRequestData().setGroupId("grüppe").setSessionTimeoutMs(10000)
          .setRebalanceTimeoutMs(60000).setMemberId(MEMBER_1).setProtocolType("consumer").setProtocols(one)
          .setReason("rebalance failed due to 'The group is rebalancing' (RebalanceInProgressException)");
      if (v >= 5) rejoin.setGroupInstanceId("instance-1");
      out.add(joinGroupRequest("rejoin with member id, instance id and reason, empty metadata", v, rejoin));
      return out;
    }

    static Vector joinGroupRequest(String name, short v, JoinGroupRequestData m) {
      return vector(name, "request", v, m, JoinGroupRequestDataJsonConverter::write, JoinGroupRequestData::new);
    }

    static List<Vector> joinGroupResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(joinGroupResponse("leader with two members", v, joinLeader(false), null));
      if (flexible(ApiKeys.JOIN_GROUP, v)) {
        JoinGroupResponseData m = joinLeader(false);
        Planted planted = new Planted()
            .add(m.members().get(1).unknownTaggedFields(), "members[1]", 0, "ff")
            .add(m.unknownTaggedFields(), "", 2, "0000");
        out.add(joinGroupResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      if (v >= 9) out.add(joinGroupResponse("static leader told to skip the assignment", v, joinLeader(true), null));
      // MEMBER_ID_REQUIRED (KIP-394): join again with this member id
      JoinGroupResponseData required = new JoinGroupResponseData().setThrottleTimeMs(0).setErrorCode((short) 79)
          .setGenerationId(-1).setProtocolName(v >= 7 ? null : "").setLeader("").setMemberId(MEMBER_1);
      out.add(joinGroupResponse("MEMBER_ID_REQUIRED with the member id to use", v, required, null));
      JoinGroupResponseData follower = new JoinGroupResponseData().setThrottleTimeMs(30).setErrorCode((short) 0)
          .setGenerationId(4).setProtocolType("consumer").setProtocolName("range").setLeader(MEMBER_1).setMemberId(MEMBER_2);
      out.add(joinGroupResponse("follower, throttled", v, follower, null));
      return out;
    }

    static JoinGroupResponseData joinLeader(boolean skipAssignment) {
      JoinGroupResponseData m = new JoinGroupResponseData().setThrottleTimeMs(0).setErrorCode((short) 0)
          .setGenerationId(3).setProtocolType("consumer").setProtocolName("range").setLeader(MEMBER_1)
          .setSkipAssignment(skipAssignment).setMemberId(MEMBER_1);
      m.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(MEMBER_1).setGroupInstanceId("instance-1")
          .setMetadata(MessageUtil.toVersionPrefixedBytes((short) 3, fullSubscription())));
      m.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(MEMBER_2).setGroupInstanceId(null)
          .setMetadata(subscriptionBytes("orders", "payments")));
      return m;
    }

    static Vector joinGroupResponse(String name, short v, JoinGroupResponseData m, Planted planted) {
      return vector(name, "response", v, m, JoinGroupResponseDataJsonConverter::write, JoinGroupResponseData::new, planted);
    }

    // ---- Heartbeat (key 12)

    static List<Vector> heartbeatRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(heartbeatRequest("member heartbeat", v, new HeartbeatRequestData().setGroupId("orders-app")
          .setGenerationId(3).setMemberId(MEMBER_1)));
      if (v >= 3) {
        out.add(heartbeatRequest("static member heartbeat", v, new HeartbeatRequestData().setGroupId("grüppe")
            .setGenerationId(2147483647).setMemberId(MEMBER_2).setGroupInstanceId("instance-é")));
      }
      return out;
    }

    static Vector heartbeatRequest(String name, short v, HeartbeatRequestData m) {
      return vector(name, "request", v, m, HeartbeatRequestDataJsonConverter::write, HeartbeatRequestData::new);
    }

    static List<Vector> heartbeatResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(heartbeatResponse("ok", v, new HeartbeatResponseData().setThrottleTimeMs(0).setErrorCode((short) 0), null));
      // REBALANCE_IN_PROGRESS: rejoin
      out.add(heartbeatResponse("rebalance in progress, throttled", v,
          new HeartbeatResponseData().setThrottleTimeMs(10).setErrorCode((short) 27), null));
      if (flexible(ApiKeys.HEARTBEAT, v)) {
        HeartbeatResponseData m = new HeartbeatResponseData();
        Planted planted = new Planted().add(m.unknownTaggedFields(), "", 1, "01").add(m.unknownTaggedFields(), "", 200, "");
        out.add(heartbeatResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static Vector heartbeatResponse(String name, short v, HeartbeatResponseData m, Planted planted) {
      return vector(name, "response", v, m, HeartbeatResponseDataJsonConverter::write, HeartbeatResponseData::new, planted);
    }

    // ---- LeaveGroup (key 13)

    static List<Vector> leaveGroupRequests(short v) {
      List<Vector> out = new ArrayList<>();
      if (v <= 2) {
        out.add(leaveGroupRequest("one member", v, new LeaveGroupRequestData().setGroupId("orders-app").setMemberId(MEMBER_1)));
      } else {
        List<LeaveGroupRequestData.MemberIdentity> members = new ArrayList<>();
        members.add(new LeaveGroupRequestData.MemberIdentity().setMemberId(MEMBER_1).setGroupInstanceId(null)
            .setReason("the consumer is being closed"));
        members.add(new LeaveGroupRequestData.MemberIdentity().setMemberId("").setGroupInstanceId("instance-2"));
        out.add(leaveGroupRequest("a dynamic and a static member", v,
            new LeaveGroupRequestData().setGroupId("orders-app").setMembers(members)));
        List<LeaveGroupRequestData.MemberIdentity> one = new ArrayList<>();
        one.add(new LeaveGroupRequestData.MemberIdentity().setMemberId(MEMBER_2));
        out.add(leaveGroupRequest("one member", v, new LeaveGroupRequestData().setGroupId("grüppe").setMembers(one)));
      }
      return out;
    }

    static Vector leaveGroupRequest(String name, short v, LeaveGroupRequestData m) {
      return vector(name, "request", v, m, LeaveGroupRequestDataJsonConverter::write, LeaveGroupRequestData::new);
    }

    static List<Vector> leaveGroupResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(leaveGroupResponse("left", v, leaveResults(v), null));
      if (flexible(ApiKeys.LEAVE_GROUP, v)) {
        LeaveGroupResponseData m = leaveResults(v);
        Planted planted = new Planted()
            .add(m.members().get(0).unknownTaggedFields(), "members[0]", 5, "05")
            .add(m.unknownTaggedFields(), "", 0, "");
        out.add(leaveGroupResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      // NOT_COORDINATOR
      out.add(leaveGroupResponse("not coordinator", v, new LeaveGroupResponseData().setThrottleTimeMs(7).setErrorCode((short) 16), null));
      return out;
    }

    static LeaveGroupResponseData leaveResults(short v) {
      LeaveGroupResponseData m = new LeaveGroupResponseData().setThrottleTimeMs(0).setErrorCode((short) 0);
      if (v >= 3) {
        m.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(MEMBER_1).setGroupInstanceId(null).setErrorCode((short) 0));
        // UNKNOWN_MEMBER_ID
        m.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId("").setGroupInstanceId("instance-2").setErrorCode((short) 25));
      }
      return m;
    }

    static Vector leaveGroupResponse(String name, short v, LeaveGroupResponseData m, Planted planted) {
      return vector(name, "response", v, m, LeaveGroupResponseDataJsonConverter::write, LeaveGroupResponseData::new, planted);
    }

    // ---- SyncGroup (key 14)

    static List<Vector> syncGroupRequests(short v) {
      List<Vector> out = new ArrayList<>();
      SyncGroupRequestData leader = new SyncGroupRequestData().setGroupId("orders-app").setGenerationId(3)
          .setMemberId(MEMBER_1).setProtocolType("consumer").setProtocolName("range");
      leader.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(MEMBER_1)
          .setAssignment(MessageUtil.toVersionPrefixedBytes((short) 3, fullAssignment())));
      leader.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(MEMBER_2)
          .setAssignment(assignmentBytes("orders", 2)));
      out.add(syncGroupRequest("leader with two assignments", v, leader));
      SyncGroupRequestData follower = new SyncGroupRequestData().setGroupId("grüppe").setGenerationId(3).setMemberId(MEMBER_2);
      if (v >= 3) follower.setGroupInstanceId("instance-2");
      out.add(syncGroupRequest("follower, no assignments", v, follower));
      return out;
    }

    static Vector syncGroupRequest(String name, short v, SyncGroupRequestData m) {
      return vector(name, "request", v, m, SyncGroupRequestDataJsonConverter::write, SyncGroupRequestData::new);
    }

    static List<Vector> syncGroupResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(syncGroupResponse("the member's assignment", v, syncResult(), null));
      if (flexible(ApiKeys.SYNC_GROUP, v)) {
        SyncGroupResponseData m = syncResult();
        Planted planted = new Planted().add(m.unknownTaggedFields(), "", 4, "04040404");
        out.add(syncGroupResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      // REBALANCE_IN_PROGRESS: no assignment
      out.add(syncGroupResponse("rebalance in progress", v, new SyncGroupResponseData().setThrottleTimeMs(1)
          .setErrorCode((short) 27).setProtocolType(null).setProtocolName(null).setAssignment(new byte[0]), null));
      return out;
    }

    static SyncGroupResponseData syncResult() {
      return new SyncGroupResponseData().setThrottleTimeMs(0).setErrorCode((short) 0).setProtocolType("consumer")
          .setProtocolName("range").setAssignment(MessageUtil.toVersionPrefixedBytes((short) 3, fullAssignment()));
    }

    static Vector syncGroupResponse(String name, short v, SyncGroupResponseData m, Planted planted) {
      return vector(name, "response", v, m, SyncGroupResponseDataJsonConverter::write, SyncGroupResponseData::new, planted);
    }

    // ---- DescribeGroups (key 15)

    static List<Vector> describeGroupsRequests(short v) {
      List<Vector> out = new ArrayList<>();
      DescribeGroupsRequestData m = new DescribeGroupsRequestData().setGroups(strings("orders-app", "grüppe"));
      if (v >= 3) m.setIncludeAuthorizedOperations(true);
      out.add(describeGroupsRequest("two groups", v, m));
      out.add(describeGroupsRequest("no groups", v, new DescribeGroupsRequestData()));
      return out;
    }

    static Vector describeGroupsRequest(String name, short v, DescribeGroupsRequestData m) {
      return vector(name, "request", v, m, DescribeGroupsRequestDataJsonConverter::write, DescribeGroupsRequestData::new);
    }

    static List<Vector> describeGroupsResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(describeGroupsResponse("stable, dead and unauthorized groups", v, describedGroups(v), null));
      if (flexible(ApiKeys.DESCRIBE_GROUPS, v)) {
        DescribeGroupsResponseData m = describedGroups(v);
        Planted planted = new Planted()
            .add(m.groups().get(0).members().get(0).unknownTaggedFields(), "groups[0].members[0]", 1, "")
            .add(m.groups().get(0).unknownTaggedFields(), "groups[0]", 7, "07")
            .add(m.unknownTaggedFields(), "", 0, "000102");
        out.add(describeGroupsResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static DescribeGroupsResponseData describedGroups(short v) {
      DescribeGroupsResponseData m = new DescribeGroupsResponseData().setThrottleTimeMs(0);
      DescribeGroupsResponseData.DescribedGroup stable = new DescribeGroupsResponseData.DescribedGroup().setErrorCode((short) 0)
          .setGroupId("orders-app").setGroupState("Stable").setProtocolType("consumer").setProtocolData("range");
      stable.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(MEMBER_1).setGroupInstanceId("instance-1")
          .setClientId("consumer-orders-app-1").setClientHost("/10.0.0.7")
          .setMemberMetadata(MessageUtil.toVersionPrefixedBytes((short) 3, fullSubscription()))
          .setMemberAssignment(MessageUtil.toVersionPrefixedBytes((short) 3, fullAssignment())));
      stable.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(MEMBER_2).setGroupInstanceId(null)
          .setClientId("rdkafka").setClientHost("/10.0.0.8").setMemberMetadata(subscriptionBytes("orders"))
          .setMemberAssignment(new byte[0]));
      if (v >= 3) stable.setAuthorizedOperations(ops(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE));
      m.groups().add(stable);
      DescribeGroupsResponseData.DescribedGroup dead = new DescribeGroupsResponseData.DescribedGroup().setErrorCode((short) 0)
          .setGroupId("grüppe").setGroupState("Dead").setProtocolType("").setProtocolData("");
      m.groups().add(dead);
      // GROUP_AUTHORIZATION_FAILED
      m.groups().add(new DescribeGroupsResponseData.DescribedGroup().setErrorCode((short) 30).setGroupId("secret")
          .setGroupState("").setProtocolType("").setProtocolData(""));
      return m;
    }

    static Vector describeGroupsResponse(String name, short v, DescribeGroupsResponseData m, Planted planted) {
      return vector(name, "response", v, m, DescribeGroupsResponseDataJsonConverter::write, DescribeGroupsResponseData::new, planted);
    }

    // ---- ListGroups (key 16)

    static List<Vector> listGroupsRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(listGroupsRequest("all groups", v, new ListGroupsRequestData()));
      if (v >= 4) {
        ListGroupsRequestData m = new ListGroupsRequestData().setStatesFilter(strings("Stable", "Empty"));
        if (v >= 5) m.setTypesFilter(strings("classic", "consumer"));
        out.add(listGroupsRequest("filtered by state and type", v, m));
      }
      return out;
    }

    static Vector listGroupsRequest(String name, short v, ListGroupsRequestData m) {
      return vector(name, "request", v, m, ListGroupsRequestDataJsonConverter::write, ListGroupsRequestData::new);
    }

    static List<Vector> listGroupsResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(listGroupsResponse("three groups", v, listedGroups(), null));
      if (flexible(ApiKeys.LIST_GROUPS, v)) {
        ListGroupsResponseData m = listedGroups();
        Planted planted = new Planted()
            .add(m.groups().get(2).unknownTaggedFields(), "groups[2]", 2, "0202")
            .add(m.unknownTaggedFields(), "", 1, "");
        out.add(listGroupsResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      // COORDINATOR_LOAD_IN_PROGRESS
      out.add(listGroupsResponse("coordinator loading", v, new ListGroupsResponseData().setThrottleTimeMs(3).setErrorCode((short) 14), null));
      return out;
    }

    static ListGroupsResponseData listedGroups() {
      ListGroupsResponseData m = new ListGroupsResponseData().setThrottleTimeMs(0).setErrorCode((short) 0);
      m.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId("orders-app").setProtocolType("consumer")
          .setGroupState("Stable").setGroupType("classic"));
      m.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId("grüppe").setProtocolType("consumer")
          .setGroupState("Empty").setGroupType("consumer"));
      m.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId("connect-cluster").setProtocolType("connect")
          .setGroupState("PreparingRebalance").setGroupType("classic"));
      return m;
    }

    static Vector listGroupsResponse(String name, short v, ListGroupsResponseData m, Planted planted) {
      return vector(name, "response", v, m, ListGroupsResponseDataJsonConverter::write, ListGroupsResponseData::new, planted);
    }

    // ---- DeleteGroups (key 42)

    static List<Vector> deleteGroupsRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(deleteGroupsRequest("three groups", v, new DeleteGroupsRequestData().setGroupsNames(strings("orders-app", "audit", "grüppe"))));
      out.add(deleteGroupsRequest("no groups", v, new DeleteGroupsRequestData()));
      return out;
    }

    static Vector deleteGroupsRequest(String name, short v, DeleteGroupsRequestData m) {
      return vector(name, "request", v, m, DeleteGroupsRequestDataJsonConverter::write, DeleteGroupsRequestData::new);
    }

    static List<Vector> deleteGroupsResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(deleteGroupsResponse("deleted, not empty, not found", v, deleteResults(), null));
      if (flexible(ApiKeys.DELETE_GROUPS, v)) {
        DeleteGroupsResponseData m = deleteResults();
        Planted planted = new Planted()
            .add(m.results().find("audit").unknownTaggedFields(), "results[1]", 0, "ab")
            .add(m.unknownTaggedFields(), "", 12, "");
        out.add(deleteGroupsResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(deleteGroupsResponse("throttled, no results", v, new DeleteGroupsResponseData().setThrottleTimeMs(500), null));
      return out;
    }

    static DeleteGroupsResponseData deleteResults() {
      DeleteGroupsResponseData m = new DeleteGroupsResponseData().setThrottleTimeMs(0);
      m.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId("orders-app").setErrorCode((short) 0));
      // NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND
      m.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId("audit").setErrorCode((short) 68));
      m.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId("grüppe").setErrorCode((short) 69));
      return m;
    }

    static Vector deleteGroupsResponse(String name, short v, DeleteGroupsResponseData m, Planted planted) {
      return vector(name, "response", v, m, DeleteGroupsResponseDataJsonConverter::write, DeleteGroupsResponseData::new, planted);
    }

    // ---- OffsetDelete (key 47)

    static List<Vector> offsetDeleteRequests(short v) {
      List<Vector> out = new ArrayList<>();
      OffsetDeleteRequestData m = new OffsetDeleteRequestData().setGroupId("orders-app");
      OffsetDeleteRequestData.OffsetDeleteRequestTopic orders = new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("orders");
      orders.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
      orders.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(1));
      m.topics().add(orders);
      OffsetDeleteRequestData.OffsetDeleteRequestTopic payments = new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("payments");
      payments.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(3));
      m.topics().add(payments);
      out.add(offsetDeleteRequest("two topics", v, m));
      out.add(offsetDeleteRequest("no topics", v, new OffsetDeleteRequestData().setGroupId("grüppe")));
      return out;
    }

    static Vector offsetDeleteRequest(String name, short v, OffsetDeleteRequestData m) {
      return vector(name, "request", v, m, OffsetDeleteRequestDataJsonConverter::write, OffsetDeleteRequestData::new);
    }

    static List<Vector> offsetDeleteResponses(short v) {
      List<Vector> out = new ArrayList<>();
      OffsetDeleteResponseData m = new OffsetDeleteResponseData().setErrorCode((short) 0).setThrottleTimeMs(0);
      OffsetDeleteResponseData.OffsetDeleteResponseTopic orders = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName("orders");
      orders.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(0).setErrorCode((short) 0));
      // GROUP_SUBSCRIBED_TO_TOPIC
      orders.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(1).setErrorCode((short) 86));
      m.topics().add(orders);
      OffsetDeleteResponseData.OffsetDeleteResponseTopic payments = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName("payments");
      // UNKNOWN_TOPIC_OR_PARTITION
      payments.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(3).setErrorCode((short) 3));
      m.topics().add(payments);
      out.add(offsetDeleteResponse("deleted, subscribed, unknown", v, m));
      // GROUP_ID_NOT_FOUND
      out.add(offsetDeleteResponse("group not found, throttled", v,
          new OffsetDeleteResponseData().setErrorCode((short) 69).setThrottleTimeMs(250)));
      return out;
    }

    static Vector offsetDeleteResponse(String name, short v, OffsetDeleteResponseData m) {
      return vector(name, "response", v, m, OffsetDeleteResponseDataJsonConverter::write, OffsetDeleteResponseData::new);
    }

    // ---- ConsumerGroupHeartbeat (key 68)

    static List<Vector> consumerGroupHeartbeatRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(consumerGroupHeartbeatRequest("join with full state", v, new ConsumerGroupHeartbeatRequestData()
          .setGroupId("orders-app").setMemberId(MEMBER_UUID).setMemberEpoch(0).setInstanceId(null).setRackId("eu-west-1a")
          .setRebalanceTimeoutMs(300000).setSubscribedTopicNames(strings("orders", "payments")).setServerAssignor("uniform")
          .setTopicPartitions(new ArrayList<>())));
      out.add(consumerGroupHeartbeatRequest("steady state, nothing changed", v, new ConsumerGroupHeartbeatRequestData()
          .setGroupId("orders-app").setMemberId(MEMBER_UUID).setMemberEpoch(5)));
      List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned = new ArrayList<>();
      owned.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(ORDERS_ID).setPartitions(ints(0, 1)));
      owned.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(OFFSETS_ID).setPartitions(ints(2)));
      out.add(consumerGroupHeartbeatRequest("owned partitions after a revocation", v, new ConsumerGroupHeartbeatRequestData()
          .setGroupId("orders-app").setMemberId(MEMBER_UUID).setMemberEpoch(6).setTopicPartitions(owned)));
      out.add(consumerGroupHeartbeatRequest("static member leaves", v, new ConsumerGroupHeartbeatRequestData()
          .setGroupId("grüppe").setMemberId(MEMBER_UUID).setMemberEpoch(-2).setInstanceId("instance-1")));
      if (v >= 1) {
        out.add(consumerGroupHeartbeatRequest("regex subscription", v, new ConsumerGroupHeartbeatRequestData()
            .setGroupId("orders-app").setMemberId(MEMBER_UUID).setMemberEpoch(0).setRebalanceTimeoutMs(60000)
            .setSubscribedTopicRegex("orders-.*").setTopicPartitions(new ArrayList<>())));
      }
      return out;
    }

    static Vector consumerGroupHeartbeatRequest(String name, short v, ConsumerGroupHeartbeatRequestData m) {
      return vector(name, "request", v, m, ConsumerGroupHeartbeatRequestDataJsonConverter::write, ConsumerGroupHeartbeatRequestData::new);
    }

    static List<Vector> consumerGroupHeartbeatResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(consumerGroupHeartbeatResponse("joined, with an assignment", v, heartbeatAssignment(), null));
      ConsumerGroupHeartbeatResponseData m = heartbeatAssignment();
      Planted planted = new Planted()
          .add(m.assignment().topicPartitions().get(0).unknownTaggedFields(), "assignment.topicPartitions[0]", 1, "")
          .add(m.assignment().unknownTaggedFields(), "assignment", 0, "00")
          .add(m.unknownTaggedFields(), "", 3, "0303");
      out.add(consumerGroupHeartbeatResponse("unknown tagged fields from a newer broker", v, m, planted));
      out.add(consumerGroupHeartbeatResponse("no change", v, new ConsumerGroupHeartbeatResponseData().setMemberId(null)
          .setMemberEpoch(7).setHeartbeatIntervalMs(5000).setAssignment(null), null));
      // FENCED_MEMBER_EPOCH
      out.add(consumerGroupHeartbeatResponse("fenced member epoch", v, new ConsumerGroupHeartbeatResponseData().setThrottleTimeMs(0)
          .setErrorCode((short) 110).setErrorMessage("The member epoch is fenced by the group coordinator.")
          .setMemberId(null).setMemberEpoch(-1).setHeartbeatIntervalMs(0), null));
      return out;
    }

    static ConsumerGroupHeartbeatResponseData heartbeatAssignment() {
      List<ConsumerGroupHeartbeatResponseData.TopicPartitions> tps = new ArrayList<>();
      tps.add(new ConsumerGroupHeartbeatResponseData.TopicPartitions().setTopicId(ORDERS_ID).setPartitions(ints(0, 1, 2)));
      tps.add(new ConsumerGroupHeartbeatResponseData.TopicPartitions().setTopicId(OFFSETS_ID).setPartitions(ints()));
      return new ConsumerGroupHeartbeatResponseData().setThrottleTimeMs(0).setErrorCode((short) 0).setErrorMessage(null)
          .setMemberId(MEMBER_UUID).setMemberEpoch(1).setHeartbeatIntervalMs(5000)
          .setAssignment(new ConsumerGroupHeartbeatResponseData.Assignment().setTopicPartitions(tps));
    }

    static Vector consumerGroupHeartbeatResponse(String name, short v, ConsumerGroupHeartbeatResponseData m, Planted planted) {
      return vector(name, "response", v, m, ConsumerGroupHeartbeatResponseDataJsonConverter::write, ConsumerGroupHeartbeatResponseData::new, planted);
    }

    // ---- ConsumerGroupDescribe (key 69)

    static List<Vector> consumerGroupDescribeRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(consumerGroupDescribeRequest("two groups with authorized operations", v, new ConsumerGroupDescribeRequestData()
          .setGroupIds(strings("orders-app", "grüppe")).setIncludeAuthorizedOperations(true)));
      out.add(consumerGroupDescribeRequest("one group", v, new ConsumerGroupDescribeRequestData()
          .setGroupIds(strings("orders-app")).setIncludeAuthorizedOperations(false)));
      return out;
    }

    static Vector consumerGroupDescribeRequest(String name, short v, ConsumerGroupDescribeRequestData m) {
      return vector(name, "request", v, m, ConsumerGroupDescribeRequestDataJsonConverter::write, ConsumerGroupDescribeRequestData::new);
    }

    static List<Vector> consumerGroupDescribeResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(consumerGroupDescribeResponse("a stable group and a missing one", v, consumerGroups(), null));
      ConsumerGroupDescribeResponseData m = consumerGroups();
      ConsumerGroupDescribeResponseData.Member member = m.groups().get(0).members().get(0);
      Planted planted = new Planted()
          .add(member.targetAssignment().topicPartitions().get(0).unknownTaggedFields(), "groups[0].members[0].targetAssignment.topicPartitions[0]", 0, "")
          .add(member.assignment().unknownTaggedFields(), "groups[0].members[0].assignment", 2, "02")
          .add(member.unknownTaggedFields(), "groups[0].members[0]", 9, "0909")
          .add(m.groups().get(1).unknownTaggedFields(), "groups[1]", 1, "01")
          .add(m.unknownTaggedFields(), "", 0, "");
      out.add(consumerGroupDescribeResponse("unknown tagged fields from a newer broker", v, m, planted));
      return out;
    }

    static ConsumerGroupDescribeResponseData consumerGroups() {
      ConsumerGroupDescribeResponseData m = new ConsumerGroupDescribeResponseData().setThrottleTimeMs(0);
      List<ConsumerGroupDescribeResponseData.TopicPartitions> current = new ArrayList<>();
      current.add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(ORDERS_ID).setTopicName("orders").setPartitions(ints(0, 1)));
      List<ConsumerGroupDescribeResponseData.TopicPartitions> target = new ArrayList<>();
      target.add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(ORDERS_ID).setTopicName("orders").setPartitions(ints(0, 1, 2)));
      target.add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(OFFSETS_ID).setTopicName("payments").setPartitions(ints(3)));
      ConsumerGroupDescribeResponseData.DescribedGroup stable = new ConsumerGroupDescribeResponseData.DescribedGroup()
          .setErrorCode((short) 0).setErrorMessage(null).setGroupId("orders-app").setGroupState("Stable")
          .setGroupEpoch(5).setAssignmentEpoch(5).setAssignorName("uniform")
          .setAuthorizedOperations(ops(AclOperation.READ, AclOperation.DESCRIBE));
      stable.members().add(new ConsumerGroupDescribeResponseData.Member().setMemberId(MEMBER_UUID).setInstanceId(null)
          .setRackId("eu-west-1a").setMemberEpoch(5).setClientId("consumer-orders-app-1").setClientHost("/10.0.0.7")
          .setSubscribedTopicNames(strings("orders", "payments")).setSubscribedTopicRegex(null)
          .setAssignment(new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(current))
          .setTargetAssignment(new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(target)));
      stable.members().add(new ConsumerGroupDescribeResponseData.Member().setMemberId("AAAAAAAAAAAAAAAAAAAAAQ").setInstanceId("instance-é")
          .setRackId(null).setMemberEpoch(4).setClientId("c2").setClientHost("/10.0.0.8")
          .setSubscribedTopicNames(strings()).setSubscribedTopicRegex("orders-.*"));
      m.groups().add(stable);
      // GROUP_ID_NOT_FOUND
      m.groups().add(new ConsumerGroupDescribeResponseData.DescribedGroup().setErrorCode((short) 69)
          .setErrorMessage("Group grüppe not found.").setGroupId("grüppe").setGroupState("Dead")
          .setGroupEpoch(-1).setAssignmentEpoch(-1).setAssignorName(""));
      return m;
    }

    static Vector consumerGroupDescribeResponse(String name, short v, ConsumerGroupDescribeResponseData m, Planted planted) {
      return vector(name, "response", v, m, ConsumerGroupDescribeResponseDataJsonConverter::write, ConsumerGroupDescribeResponseData::new, planted);
    }
  }

  /**
   * SaslHandshake (key 17, v1: v0's raw tokens are gone from 4.x) and SaslAuthenticate (key 36).
   * The tokens are made-up but shaped as the mechanisms send them (PLAIN's NUL-separated
   * credentials, SCRAM's server-final message); sessionLifetimeMs covers zero, a typical value and
   * Long.MAX_VALUE (beyond 2^53: it must stay exact).
   */
  static final class SaslVectors {
    static final short HANDSHAKE_MIN = 1, HANDSHAKE_MAX = 1;
    static final short AUTHENTICATE_MIN = 0, AUTHENTICATE_MAX = 2;

    static void writeAll(Path out) throws Exception {
      List<Vector> handshake = new ArrayList<>();
      for (short v : versions(ApiKeys.SASL_HANDSHAKE, HANDSHAKE_MIN, HANDSHAKE_MAX)) {
        handshake.addAll(handshakeRequests(v));
        handshake.addAll(handshakeResponses(v));
      }
      write(out.resolve("sasl-handshake.json"), "SaslHandshake", ApiKeys.SASL_HANDSHAKE, handshake);
      List<Vector> authenticate = new ArrayList<>();
      for (short v : versions(ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_MIN, AUTHENTICATE_MAX)) {
        authenticate.addAll(authenticateRequests(v));
        authenticate.addAll(authenticateResponses(v));
      }
      write(out.resolve("sasl-authenticate.json"), "SaslAuthenticate", ApiKeys.SASL_AUTHENTICATE, authenticate);
    }

    /** Header vectors for both APIs, correlation ids from `correlationId`; returns the next one. */
    static int headers(List<Vector> out, int correlationId) {
      for (short v : versions(ApiKeys.SASL_HANDSHAKE, HANDSHAKE_MIN, HANDSHAKE_MAX)) {
        out.add(requestHeader(ApiKeys.SASL_HANDSHAKE.name + " v" + v, ApiKeys.SASL_HANDSHAKE, v, correlationId, "kafkawire"));
        out.add(responseHeader(ApiKeys.SASL_HANDSHAKE.name + " v" + v, ApiKeys.SASL_HANDSHAKE, v, correlationId));
        correlationId++;
      }
      for (short v : versions(ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_MIN, AUTHENTICATE_MAX)) {
        out.add(requestHeader(ApiKeys.SASL_AUTHENTICATE.name + " v" + v, ApiKeys.SASL_AUTHENTICATE, v, correlationId, "kafkawire"));
        out.add(responseHeader(ApiKeys.SASL_AUTHENTICATE.name + " v" + v, ApiKeys.SASL_AUTHENTICATE, v, correlationId));
        correlationId++;
      }
      return correlationId;
    }

    static List<Vector> handshakeRequests(short v) {
      List<Vector> out = new ArrayList<>();
      for (String mechanism : List.of("SCRAM-SHA-512", "PLAIN", "OAUTHBEARER", "")) {
        out.add(vector(mechanism.isEmpty() ? "empty mechanism" : mechanism, "request", v,
            new SaslHandshakeRequestData().setMechanism(mechanism),
            SaslHandshakeRequestDataJsonConverter::write, SaslHandshakeRequestData::new));
      }
      return out;
    }

    static List<Vector> handshakeResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(handshakeResponse("accepted, four mechanisms", v, (short) 0,
          List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER")));
      out.add(handshakeResponse("UNSUPPORTED_SASL_MECHANISM, what the listener enables", v, (short) 33,
          List.of("SCRAM-SHA-512")));
      out.add(handshakeResponse("ILLEGAL_SASL_STATE, no mechanisms", v, (short) 34, List.of()));
      return out;
    }

    static Vector handshakeResponse(String name, short v, short errorCode, List<String> mechanisms) {
      return vector(name, "response", v,
          new SaslHandshakeResponseData().setErrorCode(errorCode).setMechanisms(new ArrayList<>(mechanisms)),
          SaslHandshakeResponseDataJsonConverter::write, SaslHandshakeResponseData::new);
    }

    static List<Vector> authenticateRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(authenticateRequest("PLAIN credentials", v, "\0alicé\0s3cr3t".getBytes(StandardCharsets.UTF_8)));
      out.add(authenticateRequest("SCRAM client-first", v,
          "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL".getBytes(StandardCharsets.UTF_8)));
      out.add(authenticateRequest("empty token", v, new byte[0]));
      out.add(authenticateRequest("binary token", v, new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80, 1}));
      return out;
    }

    static Vector authenticateRequest(String name, short v, byte[] token) {
      return vector(name, "request", v, new SaslAuthenticateRequestData().setAuthBytes(token),
          SaslAuthenticateRequestDataJsonConverter::write, SaslAuthenticateRequestData::new);
    }

    static SaslAuthenticateResponseData serverFinal(short v) {
      SaslAuthenticateResponseData m = new SaslAuthenticateResponseData().setErrorCode((short) 0).setErrorMessage(null)
          .setAuthBytes("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=".getBytes(StandardCharsets.UTF_8));
      if (v >= 1) m.setSessionLifetimeMs(10_000L);
      return m;
    }

    static List<Vector> authenticateResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(authenticateResponse("SCRAM server-final, a session lifetime", v, serverFinal(v), null));
      if (v >= 2) {
        SaslAuthenticateResponseData m = serverFinal(v);
        Planted planted = new Planted().add(m.unknownTaggedFields(), "", 0, "0102").add(m.unknownTaggedFields(), "", 5, "");
        out.add(authenticateResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      out.add(authenticateResponse("SASL_AUTHENTICATION_FAILED with a message", v, new SaslAuthenticateResponseData()
          .setErrorCode((short) 58).setErrorMessage("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512")
          .setAuthBytes(new byte[0]), null));
      SaslAuthenticateResponseData forever = new SaslAuthenticateResponseData().setErrorCode((short) 0).setErrorMessage("")
          .setAuthBytes(new byte[] {0, (byte) 0xff});
      if (v >= 1) forever.setSessionLifetimeMs(Long.MAX_VALUE);
      out.add(authenticateResponse("empty message, binary token, longest lifetime", v, forever, null));
      return out;
    }

    static Vector authenticateResponse(String name, short v, SaslAuthenticateResponseData m, Planted planted) {
      return vector(name, "response", v, m, SaslAuthenticateResponseDataJsonConverter::write,
          SaslAuthenticateResponseData::new, planted);
    }
  }

  /** Request and response headers, at the header version Kafka picks for each API version. */
  static List<Vector> headers() {
    List<Vector> out = new ArrayList<>();
    int correlationId = 1;
    for (ApiKeys api : List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE, ApiKeys.FETCH,
        ApiKeys.LIST_OFFSETS, ApiKeys.CREATE_TOPICS, ApiKeys.INIT_PRODUCER_ID, ApiKeys.OFFSET_FOR_LEADER_EPOCH)) {
      short[] range = RANGES.get(api);
      for (short v : versions(api, range[0], range[1])) {
        out.add(requestHeader(api.name + " v" + v, api, v, correlationId, "kafkawire"));
        out.add(responseHeader(api.name + " v" + v, api, v, correlationId));
        correlationId++;
      }
    }
    out.addAll(AdminVectors.headers(1000));
    GroupVectors.headers(out, 2000);
    SaslVectors.headers(out, 3000);
    TxnVectors.headers(out, 4000);
    out.add(requestHeader("null client id, non-flexible", ApiKeys.METADATA, (short) 8, 0, null));
    out.add(requestHeader("null client id, flexible", ApiKeys.METADATA, (short) 12, 0, null));
    out.add(requestHeader("empty client id", ApiKeys.METADATA, (short) 12, 7, ""));
    out.add(requestHeader("non-ASCII client id, max correlation id", ApiKeys.API_VERSIONS, (short) 3, Integer.MAX_VALUE, "kafkawire-ü"));
    out.add(requestHeader("negative correlation id", ApiKeys.METADATA, (short) 9, -2, "kafkawire"));
    out.add(responseHeader("max correlation id", ApiKeys.METADATA, (short) 12, Integer.MAX_VALUE));
    return out;
  }

  /**
   * Transaction APIs: AddPartitionsToTxn (client versions v0–v3), AddOffsetsToTxn, EndTxn,
   * TxnOffsetCommit, DescribeTransactions, ListTransactions. One fixture each, plus their header
   * vectors (added to headers.json by headers()).
   */
  static final class TxnVectors {
    record Range(ApiKeys api, String file, short min, short max) {}

    /** The version ranges src/protocol/apis implements, in key order. */
    static final List<Range> RANGES = List.of(
        new Range(ApiKeys.ADD_PARTITIONS_TO_TXN, "add-partitions-to-txn", (short) 0, (short) 3),
        new Range(ApiKeys.ADD_OFFSETS_TO_TXN, "add-offsets-to-txn", (short) 0, (short) 4),
        new Range(ApiKeys.END_TXN, "end-txn", (short) 0, (short) 5),
        new Range(ApiKeys.TXN_OFFSET_COMMIT, "txn-offset-commit", (short) 0, (short) 5),
        new Range(ApiKeys.DESCRIBE_TRANSACTIONS, "describe-transactions", (short) 0, (short) 0),
        new Range(ApiKeys.LIST_TRANSACTIONS, "list-transactions", (short) 0, (short) 2));

    static final String TXN_ID = "orders-pipeline-é-0";
    static final long BIG_PID = 9007199254740993L;

    static void writeAll(Path out) throws Exception {
      for (Range r : RANGES) {
        List<Vector> vectors = new ArrayList<>();
        for (short v : versions(r.api, r.min, r.max)) {
          vectors.addAll(requests(r.api, v));
          vectors.addAll(responses(r.api, v));
        }
        write(out.resolve(r.file + ".json"), r.api.name, r.api, vectors);
      }
    }

    /** Header vectors for these APIs, correlation ids from `correlationId`; returns the next one. */
    static int headers(List<Vector> out, int correlationId) {
      for (Range r : RANGES) {
        for (short v : versions(r.api, r.min, r.max)) {
          out.add(requestHeader(r.api.name + " v" + v, r.api, v, correlationId, "kafkawire"));
          out.add(responseHeader(r.api.name + " v" + v, r.api, v, correlationId));
          correlationId++;
        }
      }
      return correlationId;
    }

    static List<Vector> requests(ApiKeys api, short v) {
      return switch (api) {
        case ADD_PARTITIONS_TO_TXN -> addPartitionsRequests(v);
        case ADD_OFFSETS_TO_TXN -> addOffsetsRequests(v);
        case END_TXN -> endTxnRequests(v);
        case TXN_OFFSET_COMMIT -> txnOffsetCommitRequests(v);
        case DESCRIBE_TRANSACTIONS -> describeTransactionsRequests(v);
        case LIST_TRANSACTIONS -> listTransactionsRequests(v);
        default -> throw new IllegalArgumentException(api.name);
      };
    }

    static List<Vector> responses(ApiKeys api, short v) {
      return switch (api) {
        case ADD_PARTITIONS_TO_TXN -> addPartitionsResponses(v);
        case ADD_OFFSETS_TO_TXN -> addOffsetsResponses(v);
        case END_TXN -> endTxnResponses(v);
        case TXN_OFFSET_COMMIT -> txnOffsetCommitResponses(v);
        case DESCRIBE_TRANSACTIONS -> describeTransactionsResponses(v);
        case LIST_TRANSACTIONS -> listTransactionsResponses(v);
        default -> throw new IllegalArgumentException(api.name);
      };
    }

    // ---- AddPartitionsToTxn (key 24)

    static List<Vector> addPartitionsRequests(short v) {
      List<Vector> out = new ArrayList<>();
      AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics =
          new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
      topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("orders").setPartitions(ints(0, 2, 5)));
      topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("payments").setPartitions(ints(1)));
      out.add(addPartitionsRequest("two topics, producer id beyond 2^53", v, new AddPartitionsToTxnRequestData()
          .setV3AndBelowTransactionalId(TXN_ID).setV3AndBelowProducerId(BIG_PID).setV3AndBelowProducerEpoch((short) 5)
          .setV3AndBelowTopics(topics)));
      AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection one =
          new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
      one.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("t").setPartitions(ints(0)));
      out.add(addPartitionsRequest("one partition, max epoch", v, new AddPartitionsToTxnRequestData()
          .setV3AndBelowTransactionalId("x").setV3AndBelowProducerId(0).setV3AndBelowProducerEpoch(Short.MAX_VALUE)
          .setV3AndBelowTopics(one)));
      return out;
    }

    static Vector addPartitionsRequest(String name, short v, AddPartitionsToTxnRequestData m) {
      return vector(name, "request", v, m, AddPartitionsToTxnRequestDataJsonConverter::write, AddPartitionsToTxnRequestData::new);
    }

    static List<Vector> addPartitionsResponses(short v) {
      List<Vector> out = new ArrayList<>();
      AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection results =
          new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection();
      AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection orders =
          new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection();
      orders.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult().setPartitionIndex(0).setPartitionErrorCode((short) 0));
      // CONCURRENT_TRANSACTIONS, then OPERATION_NOT_ATTEMPTED for the rest of the request
      orders.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult().setPartitionIndex(2).setPartitionErrorCode((short) 51));
      orders.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult().setPartitionIndex(5).setPartitionErrorCode((short) 55));
      results.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName("orders").setResultsByPartition(orders));
      AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection payments =
          new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection();
      payments.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult().setPartitionIndex(1).setPartitionErrorCode((short) 0));
      results.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName("payments").setResultsByPartition(payments));
      out.add(addPartitionsResponse("per-partition errors", v, new AddPartitionsToTxnResponseData().setThrottleTimeMs(0)
          .setResultsByTopicV3AndBelow(results), null));
      out.add(addPartitionsResponse("throttled, no results", v, new AddPartitionsToTxnResponseData().setThrottleTimeMs(40), null));
      if (v >= 3) {
        AddPartitionsToTxnResponseData m = new AddPartitionsToTxnResponseData().setThrottleTimeMs(0);
        Planted planted = new Planted().add(m.unknownTaggedFields(), "", 3, "0a0b");
        out.add(addPartitionsResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static Vector addPartitionsResponse(String name, short v, AddPartitionsToTxnResponseData m, Planted planted) {
      return vector(name, "response", v, m, AddPartitionsToTxnResponseDataJsonConverter::write, AddPartitionsToTxnResponseData::new, planted);
    }

    // ---- AddOffsetsToTxn (key 25)

    static List<Vector> addOffsetsRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(vector("group of a pipeline", "request", v, new AddOffsetsToTxnRequestData().setTransactionalId(TXN_ID)
          .setProducerId(BIG_PID).setProducerEpoch((short) 3).setGroupId("orders-app"),
          AddOffsetsToTxnRequestDataJsonConverter::write, AddOffsetsToTxnRequestData::new));
      return out;
    }

    static List<Vector> addOffsetsResponses(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(addOffsetsResponse("ok", v, new AddOffsetsToTxnResponseData().setThrottleTimeMs(0).setErrorCode((short) 0), null));
      // PRODUCER_FENCED
      out.add(addOffsetsResponse("fenced, throttled", v, new AddOffsetsToTxnResponseData().setThrottleTimeMs(12).setErrorCode((short) 90), null));
      if (v >= 3) {
        AddOffsetsToTxnResponseData m = new AddOffsetsToTxnResponseData();
        Planted planted = new Planted().add(m.unknownTaggedFields(), "", 0, "ff");
        out.add(addOffsetsResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static Vector addOffsetsResponse(String name, short v, AddOffsetsToTxnResponseData m, Planted planted) {
      return vector(name, "response", v, m, AddOffsetsToTxnResponseDataJsonConverter::write, AddOffsetsToTxnResponseData::new, planted);
    }

    // ---- EndTxn (key 26)

    static List<Vector> endTxnRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(vector("commit", "request", v, new EndTxnRequestData().setTransactionalId(TXN_ID).setProducerId(BIG_PID)
          .setProducerEpoch((short) 7).setCommitted(true), EndTxnRequestDataJsonConverter::write, EndTxnRequestData::new));
      out.add(vector("abort", "request", v, new EndTxnRequestData().setTransactionalId("t").setProducerId(1)
          .setProducerEpoch((short) 0).setCommitted(false), EndTxnRequestDataJsonConverter::write, EndTxnRequestData::new));
      return out;
    }

    static List<Vector> endTxnResponses(short v) {
      List<Vector> out = new ArrayList<>();
      EndTxnResponseData ok = new EndTxnResponseData().setThrottleTimeMs(0).setErrorCode((short) 0);
      // From v5 (transaction version 2) the coordinator hands back the epoch bumped for the next transaction.
      if (v >= 5) ok.setProducerId(BIG_PID).setProducerEpoch((short) 8);
      out.add(endTxnResponse("ok", v, ok, null));
      // INVALID_TXN_STATE
      out.add(endTxnResponse("invalid state, throttled", v, new EndTxnResponseData().setThrottleTimeMs(100).setErrorCode((short) 48), null));
      if (v >= 3) {
        EndTxnResponseData m = new EndTxnResponseData();
        Planted planted = new Planted().add(m.unknownTaggedFields(), "", 4, "00");
        out.add(endTxnResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static Vector endTxnResponse(String name, short v, EndTxnResponseData m, Planted planted) {
      return vector(name, "response", v, m, EndTxnResponseDataJsonConverter::write, EndTxnResponseData::new, planted);
    }

    // ---- TxnOffsetCommit (key 28)

    static List<Vector> txnOffsetCommitRequests(short v) {
      List<Vector> out = new ArrayList<>();
      TxnOffsetCommitRequestData m = new TxnOffsetCommitRequestData().setTransactionalId(TXN_ID).setGroupId("orders-app")
          .setProducerId(BIG_PID).setProducerEpoch((short) 2);
      if (v >= 3) {
        // KIP-447: the member's identity, so the coordinator fences a zombie's offsets
        m.setGenerationId(12).setMemberId(GroupVectors.MEMBER_1).setGroupInstanceId("orders-app-1");
      }
      List<TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition> parts = new ArrayList<>();
      TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p0 = new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
          .setPartitionIndex(0).setCommittedOffset(9007199254740993L).setCommittedMetadata(null);
      TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p3 = new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
          .setPartitionIndex(3).setCommittedOffset(0).setCommittedMetadata("é");
      if (v >= 2) p0.setCommittedLeaderEpoch(4);
      parts.add(p0);
      parts.add(p3);
      List<TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic> topics = new ArrayList<>();
      topics.add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("input").setPartitions(parts));
      m.setTopics(topics);
      out.add(vector("two partitions, member identity", "request", v, m, TxnOffsetCommitRequestDataJsonConverter::write,
          TxnOffsetCommitRequestData::new));
      out.add(vector("outside group management, no topics", "request", v, new TxnOffsetCommitRequestData().setTransactionalId("t")
          .setGroupId("g").setProducerId(1).setProducerEpoch((short) 0), TxnOffsetCommitRequestDataJsonConverter::write,
          TxnOffsetCommitRequestData::new));
      return out;
    }

    static List<Vector> txnOffsetCommitResponses(short v) {
      List<Vector> out = new ArrayList<>();
      List<TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition> parts = new ArrayList<>();
      parts.add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition().setPartitionIndex(0).setErrorCode((short) 0));
      // ILLEGAL_GENERATION: a zombie member's commit (KIP-447)
      parts.add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition().setPartitionIndex(3).setErrorCode((short) 22));
      List<TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic> topics = new ArrayList<>();
      topics.add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName("input").setPartitions(parts));
      out.add(txnOffsetCommitResponse("per-partition errors", v, new TxnOffsetCommitResponseData().setThrottleTimeMs(5)
          .setTopics(topics), null));
      if (v >= 3) {
        TxnOffsetCommitResponseData m = new TxnOffsetCommitResponseData();
        Planted planted = new Planted().add(m.unknownTaggedFields(), "", 1, "7f");
        out.add(txnOffsetCommitResponse("unknown tagged fields from a newer broker", v, m, planted));
      }
      return out;
    }

    static Vector txnOffsetCommitResponse(String name, short v, TxnOffsetCommitResponseData m, Planted planted) {
      return vector(name, "response", v, m, TxnOffsetCommitResponseDataJsonConverter::write, TxnOffsetCommitResponseData::new, planted);
    }

    // ---- DescribeTransactions (key 65)

    static List<Vector> describeTransactionsRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(vector("two ids", "request", v, new DescribeTransactionsRequestData().setTransactionalIds(List.of(TXN_ID, "other")),
          DescribeTransactionsRequestDataJsonConverter::write, DescribeTransactionsRequestData::new));
      return out;
    }

    static List<Vector> describeTransactionsResponses(short v) {
      List<Vector> out = new ArrayList<>();
      DescribeTransactionsResponseData.TopicDataCollection topics = new DescribeTransactionsResponseData.TopicDataCollection();
      topics.add(new DescribeTransactionsResponseData.TopicData().setTopic("output").setPartitions(ints(0, 4)));
      topics.add(new DescribeTransactionsResponseData.TopicData().setTopic("__consumer_offsets").setPartitions(ints(17)));
      List<DescribeTransactionsResponseData.TransactionState> states = new ArrayList<>();
      states.add(new DescribeTransactionsResponseData.TransactionState().setErrorCode((short) 0).setTransactionalId(TXN_ID)
          .setTransactionState("Ongoing").setTransactionTimeoutMs(60000).setTransactionStartTimeMs(1700000000123L)
          .setProducerId(BIG_PID).setProducerEpoch((short) 3).setTopics(topics));
      // TRANSACTIONAL_ID_NOT_FOUND
      states.add(new DescribeTransactionsResponseData.TransactionState().setErrorCode((short) 105).setTransactionalId("other")
          .setTransactionState("").setTransactionTimeoutMs(0).setTransactionStartTimeMs(-1).setProducerId(-1).setProducerEpoch((short) -1));
      DescribeTransactionsResponseData m = new DescribeTransactionsResponseData().setThrottleTimeMs(0).setTransactionStates(states);
      out.add(vector("ongoing and unknown", "response", v, m, DescribeTransactionsResponseDataJsonConverter::write,
          DescribeTransactionsResponseData::new));
      DescribeTransactionsResponseData tagged = new DescribeTransactionsResponseData().setThrottleTimeMs(1);
      Planted planted = new Planted().add(tagged.unknownTaggedFields(), "", 2, "01");
      out.add(vector("unknown tagged fields from a newer broker", "response", v, tagged, DescribeTransactionsResponseDataJsonConverter::write,
          DescribeTransactionsResponseData::new, planted));
      return out;
    }

    // ---- ListTransactions (key 66)

    static List<Vector> listTransactionsRequests(short v) {
      List<Vector> out = new ArrayList<>();
      out.add(vector("no filters", "request", v, new ListTransactionsRequestData(),
          ListTransactionsRequestDataJsonConverter::write, ListTransactionsRequestData::new));
      ListTransactionsRequestData filtered = new ListTransactionsRequestData().setStateFilters(List.of("Ongoing", "PrepareCommit"))
          .setProducerIdFilters(List.of(BIG_PID, 7L));
      if (v >= 1) filtered.setDurationFilter(3600000L);
      if (v >= 2) filtered.setTransactionalIdPattern("orders-.*");
      out.add(vector("state, producer id, duration and pattern filters", "request", v, filtered,
          ListTransactionsRequestDataJsonConverter::write, ListTransactionsRequestData::new));
      return out;
    }

    static List<Vector> listTransactionsResponses(short v) {
      List<Vector> out = new ArrayList<>();
      List<ListTransactionsResponseData.TransactionState> states = new ArrayList<>();
      states.add(new ListTransactionsResponseData.TransactionState().setTransactionalId(TXN_ID).setProducerId(BIG_PID)
          .setTransactionState("Ongoing"));
      states.add(new ListTransactionsResponseData.TransactionState().setTransactionalId("idle").setProducerId(3)
          .setTransactionState("CompleteCommit"));
      out.add(vector("two transactions, an unknown filter", "response", v, new ListTransactionsResponseData().setThrottleTimeMs(0)
          .setErrorCode((short) 0).setUnknownStateFilters(List.of("Sleeping")).setTransactionStates(states),
          ListTransactionsResponseDataJsonConverter::write, ListTransactionsResponseData::new));
      // COORDINATOR_LOAD_IN_PROGRESS
      ListTransactionsResponseData loading = new ListTransactionsResponseData().setThrottleTimeMs(0).setErrorCode((short) 14);
      Planted planted = new Planted().add(loading.unknownTaggedFields(), "", 5, "");
      out.add(vector("loading, unknown tagged fields", "response", v, loading, ListTransactionsResponseDataJsonConverter::write,
          ListTransactionsResponseData::new, planted));
      return out;
    }

    static List<Integer> ints(Integer... values) {
      return new ArrayList<>(List.of(values));
    }
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

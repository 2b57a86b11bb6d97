// Builds CloudEvents with the official JavaScript SDK and produces them to Kafka with kafkajs,
// each in the content mode it asks for (binary: Kafka.binary, structured: Kafka.structured).
//
//   node write-kafka.mjs --brokers host:port [--topic audit] < events.json
//
// stdin: [{ "mode": "binary" | "structured", "key": "...", "event": { CloudEvent attributes and data } }]
// stdout: { "produced": [{ "mode", "key", "id", "partition", "offset", "headers" }] }
import { CloudEvent, Kafka } from "cloudevents";
import { Kafka as KafkaClient, logLevel } from "kafkajs";
import { describeEvent, fail, options, readStdinJson, succeed } from "./cli.mjs";

const settings = options({
  brokers: { env: "KAFKA_BOOTSTRAP_SERVERS", required: true },
  topic: { fallback: "audit" },
});
const requests = await readStdinJson();
if (!Array.isArray(requests) || requests.length === 0) {
  fail("stdin must be a non-empty JSON array of { mode, key, event }.");
}

const messages = requests.map(({ mode, key, event: attributes }) => {
  const event = new CloudEvent(attributes);
  event.validate();
  let message;
  if (mode === "binary") {
    message = Kafka.binary(event);
  } else if (mode === "structured") {
    message = Kafka.structured(event);
  } else {
    fail(`Unknown content mode '${mode}'; use binary or structured.`);
  }
  return { mode, event, message: toKafkajsMessage(message, key) };
});

const client = new KafkaClient({ clientId: "interop-write-kafka", brokers: settings.brokers.split(","), logLevel: logLevel.ERROR });
const producer = client.producer({ allowAutoTopicCreation: true });
await producer.connect();
try {
  const produced = [];
  for (const { mode, event, message } of messages) {
    const [metadata] = await producer.send({ topic: settings.topic, acks: -1, messages: [message] });
    produced.push({
      mode,
      key: message.key,
      id: event.id,
      partition: metadata.partition,
      offset: metadata.baseOffset,
      headers: Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, String(value)])),
      event: describeEvent(event),
    });
  }
  succeed({ produced });
} finally {
  await producer.disconnect();
}

// The SDK's Kafka message leaves two things to the transport: binary mode's value is the event's
// data as is (an object for JSON), and headers may be undefined for attributes the event lacks.
function toKafkajsMessage(message, key) {
  const headers = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined && value !== null) {
      headers[name] = String(value);
    }
  }
  let value = message.value;
  if (value !== undefined && value !== null && typeof value !== "string" && !Buffer.isBuffer(value)) {
    value = value instanceof Uint8Array ? Buffer.from(value) : JSON.stringify(value);
  }
  return { key: key ?? message.key ?? null, value: value ?? null, headers, timestamp: message.timestamp };
}

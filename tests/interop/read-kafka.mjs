// Reads a topic from the beginning with kafkajs and decodes every message with the official
// JavaScript SDK's Kafka binding, binary and structured mode alike; prints the events whose
// subject is one of those asked for, once all of them were found.
//
//   node read-kafka.mjs --brokers host:port --subjects a,b [--topic audit] [--group id] [--timeout-ms 60000]
//
// stdout: { "events": [{ "mode", "key", "partition", "offset", "headers", "event" }] }
// Exit 1 when a subject is still missing at the deadline or a wanted message is no valid CloudEvent.
import { randomUUID } from "node:crypto";
import { Kafka, ValidationError } from "cloudevents";
import { Kafka as KafkaClient, logLevel } from "kafkajs";
import { describeEvent, fail, options, succeed } from "./cli.mjs";

const settings = options({
  brokers: { env: "KAFKA_BOOTSTRAP_SERVERS", required: true },
  subjects: { required: true },
  topic: { fallback: "audit" },
  group: { fallback: `interop-read-kafka-${randomUUID()}` },
  "timeout-ms": { fallback: "60000" },
});
const wanted = new Set(settings.subjects.split(",").filter((s) => s.length > 0));
const found = new Map();
const failures = [];

const client = new KafkaClient({ clientId: "interop-read-kafka", brokers: settings.brokers.split(","), logLevel: logLevel.ERROR });
const consumer = client.consumer({ groupId: settings.group, sessionTimeout: 10000, rebalanceTimeout: 10000 });
await consumer.connect();
await consumer.subscribe({ topic: settings.topic, fromBeginning: true });

let finish;
const done = new Promise((resolve) => (finish = resolve));
const deadline = setTimeout(() => finish("timeout"), Number(settings["timeout-ms"]));

await consumer.run({
  eachMessage: async ({ partition, message }) => {
    const transported = asBindingMessage(message);
    if (!Kafka.isEvent(transported)) {
      return;
    }
    let event;
    try {
      event = Kafka.toEvent(transported);
    } catch (error) {
      // Another producer's message on a shared topic is not ours to judge, unless it is wanted.
      if ([...wanted].some((subject) => JSON.stringify(transported.headers).includes(subject) || transported.value?.toString().includes(subject))) {
        failures.push({ partition, offset: message.offset, error: describeError(error), headers: transported.headers });
        finish("failed");
      }
      return;
    }
    for (const single of Array.isArray(event) ? event : [event]) {
      if (!wanted.has(single.subject)) {
        continue;
      }
      try {
        single.validate();
      } catch (error) {
        failures.push({ partition, offset: message.offset, subject: single.subject, error: describeError(error) });
        finish("failed");
        return;
      }
      found.set(single.subject, {
        mode: transported.headers["content-type"]?.startsWith("application/cloudevents") ? "structured" : "binary",
        key: transported.key,
        partition,
        offset: message.offset,
        headers: transported.headers,
        event: describeEvent(single),
      });
    }
    if (found.size === wanted.size) {
      finish("found");
    }
  },
});

const outcome = await done;
clearTimeout(deadline);
await consumer.disconnect();
if (outcome === "found") {
  succeed({ events: [...wanted].map((subject) => found.get(subject)) });
} else if (outcome === "failed") {
  fail("The JavaScript SDK could not read a wanted message as a valid CloudEvent.", { failures });
} else {
  fail(`Timed out after ${settings["timeout-ms"]} ms.`, { missing: [...wanted].filter((s) => !found.has(s)), found: [...found.keys()] });
}

// kafkajs hands out header values and keys as Buffers (an array when a header repeats); the SDK
// reads strings. The value stays a Buffer: the SDK decodes it itself.
function asBindingMessage(message) {
  const headers = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined && last !== null) {
      headers[name] = last.toString("utf8");
    }
  }
  return { key: message.key?.toString("utf8"), value: message.value, headers, body: message.value };
}

function describeError(error) {
  return error instanceof ValidationError
    ? { name: error.name, message: error.message, errors: error.errors?.map((e) => (typeof e === "string" ? e : JSON.stringify(e))) }
    : { name: error?.name, message: String(error?.message ?? error) };
}

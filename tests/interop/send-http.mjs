// Sends CloudEvents built with the official JavaScript SDK to an HTTP endpoint, each request in
// the content mode it asks for: binary (HTTP.binary), structured (HTTP.structured) or batch. The
// SDK has no batch serializer (HTTP.toEvent reads batches, nothing writes them), so the batch
// body is built from event.toJSON() as the JSON batch format describes.
//
//   INTEROP_HTTP_HEADERS='{"x-api-key":"..."}' node send-http.mjs --url http://host/v1/cloudevents < requests.json
//
// stdin: [{ "mode": "binary" | "structured", "event": {...} } | { "mode": "batch", "events": [{...}] }]
// stdout: { "responses": [{ "mode", "ids", "status", "body" }] }; exit 1 if any status is not 2xx.
import { CloudEvent, HTTP } from "cloudevents";
import { describeEvent, extraHttpHeaders, fail, options, readStdinJson, succeed } from "./cli.mjs";

const settings = options({
  url: { env: "INTEROP_HTTP_URL", required: true },
});
const extraHeaders = extraHttpHeaders();
const requests = await readStdinJson();
if (!Array.isArray(requests) || requests.length === 0) {
  fail("stdin must be a non-empty JSON array of { mode, event } or { mode: 'batch', events }.");
}

const responses = [];
for (const request of requests) {
  let message;
  let events;
  if (request.mode === "batch") {
    events = request.events.map((attributes) => new CloudEvent(attributes));
    message = {
      headers: { "content-type": "application/cloudevents-batch+json; charset=utf-8" },
      body: JSON.stringify(events.map((event) => event.toJSON())),
    };
  } else {
    events = [new CloudEvent(request.event)];
    if (request.mode === "binary") {
      message = HTTP.binary(events[0]);
    } else if (request.mode === "structured") {
      message = HTTP.structured(events[0]);
    } else {
      fail(`Unknown content mode '${request.mode}'; use binary, structured or batch.`);
    }
  }
  const response = await fetch(settings.url, {
    method: "POST",
    headers: { ...message.headers, ...extraHeaders },
    body: message.body,
  });
  const text = await response.text();
  responses.push({
    mode: request.mode,
    ids: events.map((event) => event.id),
    events: events.map(describeEvent),
    sentHeaders: message.headers,
    status: response.status,
    body: text,
  });
}

const rejected = responses.filter((r) => r.status < 200 || r.status > 299);
if (rejected.length > 0) {
  fail("The endpoint did not accept every request.", { responses });
}
succeed({ responses });

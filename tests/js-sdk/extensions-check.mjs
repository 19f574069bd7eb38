// Runs the official GitpleLive JavaScript SDK (a built checkout, not part of this repository) against a running server
// while the message extensions flow — replies, mentions, edits, reactions and typing — and checks that the SDK's handlers
// receive the events it knows, with their usual arguments, and that nothing throws.
//
//   GITPLELIVE_JS_SDK=/path/to/gitplelive-chat-sdk  (with `npm install ws xhr2` run in it: Node 20 has no global WebSocket or XMLHttpRequest)
//   GITPLELIVE_HOST=localhost:5080 GITPLELIVE_APP_ID=... GITPLELIVE_API_KEY=... node tests/js-sdk/extensions-check.mjs
//
// Prints one JSON line with what was seen; exits 0 when every check holds, 1 otherwise.
import { createRequire } from 'node:module';
import path from 'node:path';

const sdkDir = process.env.GITPLELIVE_JS_SDK;
const host = process.env.GITPLELIVE_HOST;
const appId = process.env.GITPLELIVE_APP_ID;
const apiKey = process.env.GITPLELIVE_API_KEY;
if (!sdkDir || !host || !appId || !apiKey) {
  console.error('set GITPLELIVE_JS_SDK, GITPLELIVE_HOST, GITPLELIVE_APP_ID and GITPLELIVE_API_KEY');
  process.exit(2);
}

const failures = [];
const thrown = [];
process.on('uncaughtException', (e) => thrown.push(`uncaught: ${e?.stack ?? e}`));
process.on('unhandledRejection', (e) => thrown.push(`unhandled rejection: ${e?.stack ?? e}`));

const sdkRequire = createRequire(path.join(sdkDir, 'package.json'));
// Browser globals the SDK's bundle expects, which Node 20 lacks (from npm, installed into the SDK checkout).
if (typeof globalThis.WebSocket === 'undefined') globalThis.WebSocket = sdkRequire('ws');
if (typeof globalThis.XMLHttpRequest === 'undefined') globalThis.XMLHttpRequest = sdkRequire('xhr2');
const { ChatClient } = sdkRequire(sdkDir);
// Its timers shim calls window.setInterval when the client runs (not at load).
if (typeof globalThis.window === 'undefined') globalThis.window = globalThis;

const base = `http://${host}`;
const suffix = Math.random().toString(36).slice(2, 10);
const aliceId = `js-alice-${suffix}`;
const bobId = `js-bob-${suffix}`;
const channelId = `js-room-${suffix}`;

async function call(method, url, headers, body) {
  const response = await fetch(base + url, {
    method,
    headers: { 'Content-Type': 'application/json', APP_ID: appId, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text.length ? JSON.parse(text) : null;
}
const platform = (method, url, body) => call(method, `/v1${url}`, { APP_API_KEY: apiKey }, body);
const sdk = (user, method, url, body) =>
  call(method, `/v1/sdk${url}`, { USER_ID: user.id, Authorization: `Bearer ${user.sdkToken}` }, body);

function check(condition, what) {
  if (!condition) failures.push(what);
}

const waitFor = async (condition, what, ms = 10000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) { failures.push(`timed out waiting for ${what}`); return false; }
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
};

async function user(id) {
  await platform('POST', '/users', { user_id: id, name: id });
  const session = await platform('POST', `/users/${id}/token`, { expires_at: Date.now() + 3600_000 });
  const sdkToken = (await call('POST', '/v1/sdk/users/token', { USER_ID: id, Authorization: `Bearer ${session.token}` }, {})).token;
  // Version 1.1.0 uses ws://localhost:{debug.mqttPort} for a localhost host (wss on 443 otherwise).
  const client = new ChatClient({ host, app_id: appId, debug: { mode: !!process.env.GITPLELIVE_JS_DEBUG, mqttPort: Number(host.split(':')[1]) } });
  const seen = { send: [], update: [], delete: [], typingStart: [], typingStop: [], errors: [] };
  client.on('error', (e) => seen.errors.push(String(e?.message ?? e)));
  const group = client.groupChannel;
  group.on('group:message_send', (channel, message) => seen.send.push({ channel: channel?.channel_id, message }));
  group.on('group:message_update', (channel, message) => seen.update.push({ channel: channel?.channel_id, message }));
  group.on('group:message_delete', (channel, message) => seen.delete.push({ channel: channel?.channel_id, message }));
  // The JS SDK passes every group:* category to its emitter with (channel, user, ...): an app could listen to these.
  group.on('group:typing_start', (channel, u) => seen.typingStart.push({ channel: channel?.channel_id, user: u?.user_id }));
  group.on('group:typing_stop', (channel, u) => seen.typingStop.push({ channel: channel?.channel_id, user: u?.user_id }));
  let connected = false;
  client.connection.on('connected', () => { connected = true; });
  await client.connectUser({ user_id: id, session_token: session.token });
  await waitFor(() => connected, `${id}: connected`);
  return { id, client, sdkToken, seen };
}

let alice;
let bob;
try {
  alice = await user(aliceId);
  bob = await user(bobId);
  await platform('POST', '/group/channels', { channel_id: channelId, name: 'JS room', members: [aliceId, bobId] });
  // The SDKs subscribe on user_joined_channel by themselves; wait until the channel is heard.
  const probe = await alice.client.groupChannel.sendMessage(channelId, { type: 'text', content: 'probe' });
  await waitFor(() => bob.seen.send.some((e) => e.message?.message_id === probe.message_id), 'the probe message');

  // Parent through the official SDK, then a reply that mentions alice (our extension fields, sent with fetch).
  const parent = await alice.client.groupChannel.sendMessage(channelId, { type: 'text', content: 'parent' });
  const reply = await sdk(bob, 'POST', `/group/channels/${channelId}/messages`,
    { type: 'text', content: 'reply', parent_message_id: parent.message_id, mentioned_user_ids: [aliceId] });
  await sdk(alice, 'PUT', `/group/channels/${channelId}/messages/${parent.message_id}`, { content: 'parent (edited)' });
  await sdk(bob, 'POST', `/group/channels/${channelId}/messages/${parent.message_id}/reactions`, { key: '👍' });
  await sdk(bob, 'DELETE', `/group/channels/${channelId}/messages/${parent.message_id}/reactions`, { key: '👍' });
  await sdk(bob, 'PUT', `/group/channels/${channelId}/typing`, { typing: true });
  await sdk(bob, 'PUT', `/group/channels/${channelId}/typing`, { typing: false }); // held for a second, then sent
  await sdk(bob, 'DELETE', `/group/channels/${channelId}/messages/${reply.message_id}`);
  // The official SDK's own calls still work on messages that carry the new fields.
  await alice.client.groupChannel.updateMessageMeta(channelId, parent.message_id, { k: 'v' });
  const history = await alice.client.groupChannel.getMessageList(channelId, { limit: 10 });
  check(Array.isArray(history?.messages) && history.messages.some((m) => m.message_id === parent.message_id), 'history lists the parent');
  const done = await alice.client.groupChannel.sendMessage(channelId, { type: 'text', content: 'done' });

  for (const member of [alice, bob]) {
    const s = member.seen;
    await waitFor(() => s.send.some((e) => e.message?.message_id === done.message_id), `${member.id}: the last message`);
    await waitFor(() => s.typingStop.length >= 1, `${member.id}: typing stop`);
    check(s.send.some((e) => e.message?.message_id === reply.message_id && e.channel === channelId), `${member.id}: the reply as message_send`);
    // Updates of the parent: the reply count (twice: the reply and its delete), the edit, two reactions, the meta.
    const parentUpdates = s.update.filter((e) => e.message?.message_id === parent.message_id && e.channel === channelId);
    check(parentUpdates.length === 6, `${member.id}: 6 message_update of the parent, got ${parentUpdates.length}`);
    check(parentUpdates.some((e) => e.message?.content === 'parent (edited)'), `${member.id}: the edit's content`);
    check(s.delete.some((e) => e.message?.message_id === reply.message_id), `${member.id}: the reply's delete`);
    check(s.typingStart.length === 1 && s.typingStart[0].user === bobId && s.typingStart[0].channel === channelId,
      `${member.id}: typing_start with channel and user, got ${JSON.stringify(s.typingStart)}`);
    check(s.typingStop.length === 1 && s.typingStop[0].user === bobId, `${member.id}: typing_stop with channel and user`);
    check(s.errors.length === 0, `${member.id}: SDK errors ${JSON.stringify(s.errors)}`);
  }
} catch (e) {
  failures.push(`threw: ${e?.stack ?? e}`);
} finally {
  for (const u of [alice, bob]) {
    try { await u?.client.disconnectUser(); } catch (e) { thrown.push(`disconnect: ${e}`); }
  }
}

const summary = {
  ok: failures.length === 0 && thrown.length === 0,
  failures,
  thrown,
  seen: Object.fromEntries([alice, bob].filter(Boolean).map((u) => [u.id, {
    send: u.seen.send.length, update: u.seen.update.length, delete: u.seen.delete.length,
    typing_start: u.seen.typingStart.length, typing_stop: u.seen.typingStop.length, errors: u.seen.errors.length,
  }])),
};
console.log(JSON.stringify(summary));
process.exit(summary.ok ? 0 : 1);

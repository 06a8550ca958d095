// The demo scenario that drives client.ts against a live server seeded with
// `peer-support-api seed-demo` (.ci/feedback-client runs it):
//   as the demo coordinator, take the demo peer through intake into an open English informal
//   group, create a session of that group that started a few minutes ago and mark the peer
//   present (placed after it started, the peer needs that to be allowed a token); then, as the
//   peer, take a feedback token and answer anonymously (201); the same token again is refused
//   (403 feedback-token-refused).
//
// Environment: BASE_URL, COORDINATOR_EMAIL, COORDINATOR_PASSWORD, PEER_EMAIL, PEER_PASSWORD.
// Prints statuses only, never tokens or passwords. Exits 1 on any unexpected answer.

import { ApiError, call, feedbackKey, submitFeedback, takeToken, type Api } from './client.js';

/** The consents a peer grants before placement (tests/api/intake.rs, REQUIRED). */
const REQUIRED_CONSENTS = [
  'code_of_conduct',
  'participation_consent',
  'confidentiality_agreement',
  'safety_and_emergency_protocol',
];

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function say(line: string): void {
  console.log(`  ${line}`);
}

async function login(api: Api, email: string, password: string): Promise<string> {
  const pair = await call(api, 'POST', '/api/v1/auth/login', 200, { email, password });
  return pair.access_token;
}

async function main(): Promise<void> {
  const api: Api = { baseUrl: env('BASE_URL').replace(/\/+$/, '') };
  const coordinator = await login(api, env('COORDINATOR_EMAIL'), env('COORDINATOR_PASSWORD'));
  const peer = await login(api, env('PEER_EMAIL'), env('PEER_PASSWORD'));
  const me = await call(api, 'GET', '/api/v1/me', 200, undefined, peer);
  say(`logged in as coordinator and as peer (${me.role}, ${me.preferred_language}) -> 200`);

  // Intake: the peer applies, the coordinator takes it to "ready".
  const application = await call(api, 'POST', '/api/v1/intake-applications', 201, {
    preferred_language: 'en',
    group_kind: 'either',
    availability: 'Evenings',
    contact_methods: ['email'],
  }, peer);
  say('peer applies -> 201');
  const act = (token: string, action: string, body: unknown) =>
    call(api, 'POST', `/api/v1/intake-applications/${application.id}/${action}`, 200, body, token);
  // The meeting's outcome can be recorded only once it has begun: book it two seconds ahead.
  const soon = new Date(Date.now() + 2000);
  await act(coordinator, 'assign', {});
  await act(peer, 'form', { reasons_for_joining: 'To talk with people who understand.' });
  await act(coordinator, 'schedule-meeting', { meeting_at: soon.toISOString(), mode: 'phone' });
  await new Promise((resolve) => setTimeout(resolve, soon.getTime() - Date.now() + 1000));
  await act(coordinator, 'record-meeting', {
    readiness: 'ready',
    code_of_conduct_reviewed: true,
    consents_reviewed: true,
    safety_plan_reviewed: true,
    safety_notes: 'Prefers to step away rather than be called.',
  });
  say('assign, form, schedule-meeting, record-meeting -> 200 each');

  // The peer grants the current version of each required consent document.
  const documents = await call(api, 'GET', '/api/v1/consent-documents?language=en', 200);
  for (const kind of REQUIRED_CONSENTS) {
    const doc = documents.items.find((d: { kind: string }) => d.kind === kind);
    if (!doc) throw new Error(`no current English consent document of kind ${kind}`);
    await call(api, 'POST', '/api/v1/consent-records', 201, {
      document_id: doc.id,
      decision: 'granted',
      method: 'electronic',
    }, peer);
  }
  say(`peer grants ${REQUIRED_CONSENTS.length} required consents -> 201 each`);

  // Placement in an open English informal demo group.
  const groups = await call(api, 'GET', '/api/v1/groups?language=en&kind=informal&status=open', 200,
    undefined, coordinator);
  const group = groups.items[0];
  if (!group) throw new Error('no open English informal group: was the database seeded?');
  const placed = await act(coordinator, 'place', { group_id: group.id });
  if (placed.status !== 'placed') throw new Error(`placement ended ${placed.status}, not placed`);
  say('coordinator places the peer in an open English informal group -> 200 (placed)');

  // The demo group already holds its 8 sessions (an informal group's most), so the coordinator
  // cancels its last one to make room for a session that started five minutes ago.
  const sessions = await call(api, 'GET', `/api/v1/groups/${group.id}/sessions`, 200, undefined,
    coordinator);
  const last = sessions.items.filter((s: { status: string }) => s.status === 'scheduled').at(-1);
  if (last) {
    await call(api, 'PATCH', `/api/v1/sessions/${last.id}`, 200,
      { status: 'cancelled', cancel_reason: 'Replaced by the feedback demo session.' }, coordinator);
    say("coordinator cancels the group's last scheduled session -> 200");
  }

  // A session that started five minutes ago, and the peer marked present at it.
  const startsAt = new Date(Date.now() - 5 * 60 * 1000).toISOString();
  const created = await call(api, 'POST', `/api/v1/groups/${group.id}/sessions`, 201,
    { starts_at: startsAt }, coordinator);
  const sessionId: string = created.items[0].id;
  say('coordinator creates a session that started 5 minutes ago -> 201');
  await call(api, 'PUT', `/api/v1/sessions/${sessionId}/attendance`, 200,
    { records: [{ participant_id: me.id, present: true }] }, coordinator);
  say('coordinator marks the peer present -> 200');

  // The feedback flow itself, with client.ts.
  const key = await feedbackKey(api, sessionId);
  say(`anyone fetches the session's key -> 200 (${key.publicKey.algorithm.name}, ` +
    `${(key.publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength} bits)`);
  const signed = await takeToken(api, peer, key);
  say('peer blinds a token and has it signed -> 201; finalized, verified locally with the public key');
  await submitFeedback(api, signed, {
    felt_safe: 5,
    felt_heard: 4,
    found_useful: 4,
    would_recommend: 5,
    comment: 'Sent by the TypeScript example client.',
  });
  say('anonymous submission -> 201');

  try {
    await submitFeedback(api, signed, { felt_safe: 1 });
    throw new Error('the same token was accepted twice');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 403 && e.problemType?.endsWith('feedback-token-refused'))) {
      throw e;
    }
  }
  say('the same token again -> 403 feedback-token-refused');
}

main().then(
  () => console.log('feedback client: every step answered as expected'),
  (e: unknown) => {
    console.error(`feedback client: FAILED: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

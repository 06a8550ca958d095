// Anonymous session feedback, as a front end does it: RFC 9474 blind RSA signatures
// (RSABSSA-SHA384-PSS-Randomized, RSA-2048) with @cloudflare/blindrsa-ts and nothing but
// WebCrypto and fetch, so this module runs unchanged in a browser and in Node 20.
//
// The flow (README.md, "Anonymous feedback"):
//   1. feedbackKey     GET  /feedback-keys?session_id=…       public: the session's own key
//   2. takeToken       POST /sessions/{id}/feedback-token      signed in as the peer: the server
//                      signs a *blinded* message, so it never sees the token it signs
//   3. submitFeedback  POST /feedback                          anonymous: no bearer token
//
// Keep what takeToken returns on the device (e.g. IndexedDB) until the answer is sent, and send
// it without credentials, ideally some time after taking the token: timing and the network
// address are the only things that could tie an answer to the person.

import { RSABSSA } from '@cloudflare/blindrsa-ts';

/** The one variant the server uses. Randomized: `prepare` puts 32 random bytes before the token. */
const suite = RSABSSA.SHA384.PSS.Randomized();

/** Length in bytes of the randomizer `prepare` adds, and of the token's random part. */
const RANDOM_BYTES = 32;

/** Where the API lives, e.g. `http://127.0.0.1:8080` (no trailing slash); paths are `/api/v1/…`. */
export type Api = { baseUrl: string };

/** A session's published signing key. */
export type FeedbackKey = {
  sessionId: string;
  /** base64url SHA-256 of the key; the same for every caller and on every instance. */
  keyId: string;
  /** RSA-PSS / SHA-384 public key, extractable (blindrsa-ts reads its modulus). */
  publicKey: CryptoKey;
};

/** A token with its unblinded signature: everything `POST /feedback` needs besides answers. */
export type SignedToken = {
  sessionId: string;
  /** The session id's UTF-8 bytes followed by 32 random bytes. */
  token: Uint8Array;
  /** The 32 bytes `prepare` put in front of the token; the signature covers randomizer ‖ token. */
  randomizer: Uint8Array;
  /** RSASSA-PSS signature (256 bytes) over randomizer ‖ token under the session's key. */
  signature: Uint8Array;
  /** Answers are accepted until then (ISO 8601), as the server said when signing. */
  submitBy: string;
};

/** The answers: ratings 1 to 5, each optional, and an optional comment. */
export type Answers = {
  felt_safe?: number;
  felt_heard?: number;
  found_useful?: number;
  would_recommend?: number;
  comment?: string;
};

/** An answer other than the one expected; `problemType` is the RFC 9457 `type`, if any. */
export class ApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly problemType: string | undefined,
    detail: string,
  ) {
    super(`${operation}: HTTP ${status}${problemType ? ` ${problemType}` : ''}: ${detail}`);
  }
}

/** 1. The session's public key, as published to anyone. */
export async function feedbackKey(api: Api, sessionId: string): Promise<FeedbackKey> {
  const query = new URLSearchParams({ session_id: sessionId });
  const body = await call(api, 'GET', `/api/v1/feedback-keys?${query}`, 200);
  const item = body.items?.find((k: { session_id: string }) => k.session_id === sessionId);
  if (!item) throw new Error(`no feedback key published for session ${sessionId}`);
  // The key is DER SubjectPublicKeyInfo (rsaEncryption). Import it for RSA-PSS with SHA-384,
  // extractable: blindrsa-ts exports it as a JWK to get at n and e.
  const publicKey = await crypto.subtle.importKey(
    'spki',
    fromBase64url(item.public_key),
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );
  return { sessionId, keyId: item.key_id, publicKey };
}

/**
 * 2. Makes a token for the session, has it blind-signed as the signed-in peer, unblinds the
 * signature and checks it against the published key before returning it.
 *
 * Once per person per session: a second call for the same session answers 409.
 */
export async function takeToken(
  api: Api,
  accessToken: string,
  key: FeedbackKey,
): Promise<SignedToken> {
  // The token names its session (the server refuses a token for another session) and carries
  // 32 random bytes, so that no two tokens are alike.
  const token = concat(
    new TextEncoder().encode(key.sessionId),
    crypto.getRandomValues(new Uint8Array(RANDOM_BYTES)),
  );
  // prepare = 32 random bytes ‖ token. This prepared message is what gets signed.
  const prepared = suite.prepare(token);
  // blindedMsg is all the server sees (uniformly random to it); inv stays here.
  const { blindedMsg, inv } = await suite.blind(key.publicKey, prepared);

  const granted = await call(
    api,
    'POST',
    `/api/v1/sessions/${encodeURIComponent(key.sessionId)}/feedback-token`,
    201,
    { blinded_message: toBase64url(blindedMsg) },
    accessToken,
  );
  if (granted.key_id !== key.keyId) {
    // A server that signed with another key could tell this answer apart: refuse it.
    throw new Error(`signed with key ${granted.key_id}, but session's key is ${key.keyId}`);
  }
  // Unblind. finalize also checks the result, but say it plainly: a signature that does not
  // verify under the public key everyone sees is worthless, and we would rather know now.
  const signature = await suite.finalize(
    key.publicKey,
    prepared,
    fromBase64url(granted.blind_signature),
    inv,
  );
  if (!(await suite.verify(key.publicKey, signature, prepared))) {
    throw new Error('the unblinded signature does not verify under the session key');
  }
  return {
    sessionId: key.sessionId,
    token,
    randomizer: prepared.slice(0, RANDOM_BYTES),
    signature,
    submitBy: granted.submit_by,
  };
}

/** 3. Sends the answers anonymously (no bearer token). Each token is good for one answer. */
export async function submitFeedback(
  api: Api,
  signed: SignedToken,
  answers: Answers,
): Promise<void> {
  await call(api, 'POST', '/api/v1/feedback', 201, {
    session_id: signed.sessionId,
    token: toBase64url(signed.token),
    randomizer: toBase64url(signed.randomizer),
    signature: toBase64url(signed.signature),
    ...answers,
  });
}

/** One JSON request; anything but `expected` becomes an ApiError carrying the problem type. */
export async function call(
  api: Api,
  method: string,
  path: string,
  expected: number,
  body?: unknown,
  accessToken?: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  const res = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: reported below if the status is unexpected.
  }
  if (res.status !== expected) {
    throw new ApiError(`${method} ${path.split('?')[0]}`, res.status, json?.type, json?.detail ?? text);
  }
  return json;
}

/** base64url without padding, as the API writes every binary field. */
export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export { generateTestKeyPair, type TestKeyPair } from './keys.js';
export { signTestToken, bearer, TEST_ISSUER, TEST_AUDIENCE, type TestClaims, type SignTestTokenOptions } from './tokens.js';
export { expectEnvelope, type ExpectedEnvelope, type ParsedEnvelope } from './expect-envelope.js';
export { openRawConnection, parseRawResponse, rawExchange, type RawConnection, type RawResponse } from './raw-http.js';

/**
 * The project's release public key (ed25519, SPKI PEM), trusted on every device besides
 * `modelUpdates.trustedKeys`. It signs the shipped models' statements (models/<id>/statement.json).
 * Its private half never enters the repository (README, "Releasing"); revoke it by config
 * (`modelUpdates.revokedKeys`) if it is ever lost, and ship a new one here.
 */
export const RELEASE_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAPQEekO9LdrY0K3B8NJSOKmBwBo1VhV849rKbyhKmeVQ=
-----END PUBLIC KEY-----
`;

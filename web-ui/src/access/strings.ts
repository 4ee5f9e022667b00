/** The sign-in, lock and administration strings, English and French (merged into i18n.ts's dictionaries). */
export const accessEn = {
  signIn: 'Sign in', whoAreYou: 'Who are you?', enterPin: 'Enter your PIN', enterPassword: 'Enter your password', otherUser: 'Other user',
  clear: 'Clear', erase: 'Erase', lock: 'Lock', switchUser: 'Switch user', signedInAs: 'Signed in:', locked: 'Locked: patient data hidden',
  roleClinician: 'clinician', roleTechnician: 'technician', roleAdmin: 'administrator',
  errWrongSecret: 'Wrong PIN or password. Try again.', errLocked: 'Too many failed attempts: locked. Try again in {s}.',
  errRateLimited: 'Too many attempts from this screen: wait a moment and try again.', errSessionEnded: 'Your session ended: sign in again.',
  errNoAnswer: 'The device did not answer: check the connection and try again.',
  setupTitle: 'First start: create the administrator', setupIntro: 'No account exists yet. Create the first administrator (a password of at least 12 characters).',
  setupName: 'Administrator name', setupPassword: 'Password (12 characters or more)', setupRepeat: 'Password again', setupCreate: 'Create administrator',
  setupMismatch: 'The two passwords differ.', setupRefused: 'Refused: the first administrator can only be created on the device itself (its own screen) or with `sonoedge users add NAME --role admin` on the device.',
  noUsers: 'No active account. An administrator adds accounts on the device (sonoedge users add).',
  users: 'Accounts', tokens: 'API tokens', audit: 'Audit trail', name: 'Name', role: 'Role', created: 'Created', status: 'Status', active: 'active', disabled: 'disabled',
  addUser: 'Add account', secretField: 'PIN (6–12 digits) or password (12+ characters)', disable: 'Disable', resetSecret: 'New PIN/password', save: 'Save',
  userAdded: 'Account added', userDisabled: 'Account disabled', secretReset: 'PIN or password changed',
  tokenUser: 'For user', tokenLabel: 'Label (what it is for)', createToken: 'Create token', tokenOnce: 'Copy this token now: it is shown only once.', copy: 'Copy', copied: 'Copied',
  lastUsed: 'Last used', never: 'never', revoke: 'Revoke', revoked: 'revoked', label: 'Label',
  when: 'When', user: 'User', action: 'Action', target: 'Target', outcome: 'Outcome', client: 'Client', since: 'From', until: 'To', filter: 'Filter', all: 'all',
  verifyChain: 'Check the chain', chainOk: 'Audit chain intact: {n} rows, none edited, removed or reordered.', chainBroken: 'AUDIT CHAIN BROKEN at row {id} ({problem}): {message}',
  problem_edited: 'edited', problem_removed: 'removed', problem_reordered: 'reordered',
};
export type AccessKey = keyof typeof accessEn;

export const accessFr: Record<AccessKey, string> = {
  signIn: 'Se connecter', whoAreYou: 'Qui êtes-vous ?', enterPin: 'Saisissez votre code', enterPassword: 'Saisissez votre mot de passe', otherUser: 'Autre utilisateur',
  clear: 'Effacer tout', erase: 'Effacer', lock: 'Verrouiller', switchUser: "Changer d'utilisateur", signedInAs: 'Connecté :', locked: 'Verrouillé : données patiente masquées',
  roleClinician: 'soignant', roleTechnician: 'technicien', roleAdmin: 'administrateur',
  errWrongSecret: 'Code ou mot de passe erroné. Réessayez.', errLocked: 'Trop d’échecs : compte bloqué. Réessayez dans {s}.',
  errRateLimited: 'Trop de tentatives depuis cet écran : patientez un instant puis réessayez.', errSessionEnded: 'Votre session a pris fin : reconnectez-vous.',
  errNoAnswer: "L'appareil ne répond pas : vérifiez la connexion et réessayez.",
  setupTitle: "Premier démarrage : créer l'administrateur", setupIntro: "Aucun compte n'existe encore. Créez le premier administrateur (mot de passe d'au moins 12 caractères).",
  setupName: "Nom de l'administrateur", setupPassword: 'Mot de passe (12 caractères ou plus)', setupRepeat: 'Mot de passe, à nouveau', setupCreate: "Créer l'administrateur",
  setupMismatch: 'Les deux mots de passe diffèrent.', setupRefused: "Refusé : le premier administrateur ne se crée que sur l'appareil lui-même (son propre écran) ou avec `sonoedge users add NOM --role admin` sur l'appareil.",
  noUsers: "Aucun compte actif. Un administrateur ajoute les comptes sur l'appareil (sonoedge users add).",
  users: 'Comptes', tokens: "Jetons d'API", audit: "Journal d'audit", name: 'Nom', role: 'Rôle', created: 'Créé', status: 'État', active: 'actif', disabled: 'désactivé',
  addUser: 'Ajouter un compte', secretField: 'Code (6 à 12 chiffres) ou mot de passe (12+ caractères)', disable: 'Désactiver', resetSecret: 'Nouveau code/mot de passe', save: 'Enregistrer',
  userAdded: 'Compte ajouté', userDisabled: 'Compte désactivé', secretReset: 'Code ou mot de passe changé',
  tokenUser: 'Pour', tokenLabel: 'Libellé (à quoi il sert)', createToken: 'Créer un jeton', tokenOnce: "Copiez ce jeton maintenant : il n'est montré qu'une fois.", copy: 'Copier', copied: 'Copié',
  lastUsed: 'Dernier usage', never: 'jamais', revoke: 'Révoquer', revoked: 'révoqué', label: 'Libellé',
  when: 'Quand', user: 'Utilisateur', action: 'Action', target: 'Cible', outcome: 'Résultat', client: 'Client', since: 'Du', until: 'Au', filter: 'Filtrer', all: 'tous',
  verifyChain: 'Vérifier la chaîne', chainOk: "Chaîne d'audit intacte : {n} lignes, aucune modifiée, supprimée ni déplacée.", chainBroken: "CHAÎNE D'AUDIT ROMPUE à la ligne {id} ({problem}) : {message}",
  problem_edited: 'modifiée', problem_removed: 'supprimée', problem_reordered: 'déplacée',
};

/** Fills `{name}` placeholders. */
export const fill = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));

/**
 * The strings of the technician's screens (System, Models, Region), English and French, spread into
 * i18n.ts's dictionaries (so `t()` and data-i18n know them). `{name}` marks a value filled by `st()`.
 */
export const techEn = {
  version: 'Software version', tls: 'Pairing (certificate SHA-256)', tlsCa: 'Device CA', tlsOff: 'not served over HTTPS', faults: 'Faults',
  faultsLine: '{a} from the source, {u} in the daemon', pipelineFaults: 'Frames refused', diskFree: '{free} of {total} GiB free',
  refreshed: 'Updated {time}', calScope: 'Calibration', calNone: "none: the source's own pixel size",
  calFor: '{mm} mm/pixel, for {w}×{h} frames only (other sizes keep the source\'s own)', calAll: '{mm} mm/pixel, for every frame size',
  sourceSettings: 'Source settings', folder: 'Replay folder (under a media folder)', fpsField: 'Frames per second', device: 'Capture device',
  fromConfig: "This driver's settings come from the device's config file", switched: 'Now playing: {driver} · {state}',
  syncTargets: 'Sync targets', lastSuccess: 'last success {at}', neverYet: 'never', counts: '{pending} waiting · {sent} sent · {rejected} refused · {held} held',
  held: 'Held images', noHeld: 'No image is held.', release: 'Release as is', maskRelease: 'Mask text and release', released: 'Released',
  textFound: 'Text found: “{text}”', noTargets: 'No sync target is configured.',
  modelsTab: 'Models', install: 'Install a model package', chooseFile: 'Package file', upload: 'Install', activateNow: 'Activate after checks',
  uploading: 'Uploading {pct}%', checking: 'Checking the package…', installedOk: 'Installed {id} {version}', activated: 'and activated', notActivated: 'not activated',
  refusedAt: 'Refused at “{step}”: {message} ({code})', rollback: 'Roll back', rolledBack: 'Rolled back {id}: {from} → {to}', history: 'History',
  serving: 'Serving {version} ({why})', installedVersions: 'Installed', activeLabel: 'Serving', healthWindow: 'Health window', autoRollback: 'Rolled back by itself', bundled: 'factory',
  step_extract: 'Extract', step_signature: 'Signature', step_hashes: 'Hashes', step_manifest: 'Manifest', step_compatibility: 'Compatibility',
  step_load: 'Load', step_testVectors: 'Test vectors', step_activate: 'Activate',
  regionTab: 'Region', regionHelp: 'Drag over the live picture to mark the ultrasound image. Optionally tap “Depth scale” then two marks on the scale.',
  regionNow: 'Current region: {r} ({origin})', regionNone: 'No region is set', regionSave: 'Save region', regionSaved: 'Region saved',
  regionScale: 'Depth scale', scaleMm: 'Distance between the two marks (mm)', regionClear: 'Clear', regionNoFrame: 'No live picture yet',
  origin_set: 'set by {by}', origin_source: 'declared by the source', origin_unset: 'not set: captures stay on the device', origin_unknown: 'unknown',
};
export const techFr: Record<keyof typeof techEn, string> = {
  version: 'Version du logiciel', tls: 'Appairage (SHA-256 du certificat)', tlsCa: "AC de l'appareil", tlsOff: 'pas servi en HTTPS', faults: 'Incidents',
  faultsLine: '{a} venant de la source, {u} dans le service', pipelineFaults: 'Images refusées', diskFree: '{free} Gio libres sur {total}',
  refreshed: 'Mis à jour à {time}', calScope: 'Étalonnage', calNone: 'aucun : taille de pixel de la source',
  calFor: '{mm} mm/pixel, pour les images {w}×{h} seulement (les autres tailles gardent celle de la source)', calAll: '{mm} mm/pixel, pour toutes les tailles',
  sourceSettings: 'Réglages de la source', folder: 'Dossier de relecture (dans un dossier média)', fpsField: 'Images par seconde', device: 'Périphérique de capture',
  fromConfig: "Les réglages de ce pilote viennent du fichier de configuration de l'appareil", switched: 'En lecture : {driver} · {state}',
  syncTargets: "Destinations d'envoi", lastSuccess: 'dernier succès {at}', neverYet: 'jamais', counts: '{pending} en attente · {sent} envoyés · {rejected} refusés · {held} retenus',
  held: 'Images retenues', noHeld: "Aucune image n'est retenue.", release: 'Libérer telle quelle', maskRelease: 'Masquer le texte et libérer', released: 'Libérée',
  textFound: 'Texte trouvé : « {text} »', noTargets: "Aucune destination d'envoi n'est configurée.",
  modelsTab: 'Modèles', install: 'Installer un paquet de modèle', chooseFile: 'Fichier du paquet', upload: 'Installer', activateNow: 'Activer après vérification',
  uploading: 'Envoi {pct} %', checking: 'Vérification du paquet…', installedOk: '{id} {version} installé', activated: 'et activé', notActivated: 'non activé',
  refusedAt: 'Refusé à « {step} » : {message} ({code})', rollback: 'Revenir en arrière', rolledBack: '{id} rétabli : {from} → {to}', history: 'Historique',
  serving: 'En service : {version} ({why})', installedVersions: 'Installées', activeLabel: 'En service', healthWindow: 'Période de surveillance', autoRollback: 'Retour arrière automatique', bundled: "d'usine",
  step_extract: 'Extraction', step_signature: 'Signature', step_hashes: 'Empreintes', step_manifest: 'Manifeste', step_compatibility: 'Compatibilité',
  step_load: 'Chargement', step_testVectors: 'Vecteurs de test', step_activate: 'Activation',
  regionTab: 'Région', regionHelp: "Faites glisser sur l'image en direct pour marquer l'image échographique. En option, touchez « Échelle » puis deux repères de l'échelle.",
  regionNow: 'Région actuelle : {r} ({origin})', regionNone: "Aucune région n'est définie", regionSave: 'Enregistrer la région', regionSaved: 'Région enregistrée',
  regionScale: 'Échelle de profondeur', scaleMm: 'Distance entre les deux repères (mm)', regionClear: 'Effacer', regionNoFrame: "Pas encore d'image en direct",
  origin_set: 'définie par {by}', origin_source: 'déclarée par la source', origin_unset: "non définie : les captures restent sur l'appareil", origin_unknown: 'inconnue',
};


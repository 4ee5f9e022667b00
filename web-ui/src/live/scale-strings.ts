/** Strings of a frozen frame whose scale changed since it was captured (frame-scale.ts; spread into i18n.ts's dictionaries). */
export const scaleEn = {
  scaleChanged: 'Scale changed since this frame: it was captured at {was}, the source is now at {now}. Its measurements use {was}.',
  scaleKeepQuestion:
    'This frame was captured at {was}; the source is now at {now} (calibration or depth scale changed). Save it with its own {was}? Cancel if that scale was wrong: go live and capture a new frame.',
  scaleNotSaved: 'Not saved: this frame keeps its {was}. Go live and capture a new frame at {now}.',
  noSpacingWords: 'no pixel spacing (px)',
};

export const scaleFr: Record<keyof typeof scaleEn, string> = {
  scaleChanged: 'Échelle changée depuis cette image : capturée à {was}, la source est maintenant à {now}. Ses mesures utilisent {was}.',
  scaleKeepQuestion:
    "Cette image a été capturée à {was} ; la source est maintenant à {now} (étalonnage ou échelle de profondeur changés). L'enregistrer avec ses propres {was} ? Annulez si cette échelle était fausse : repassez en direct et capturez une nouvelle image.",
  scaleNotSaved: 'Non enregistrée : cette image garde ses {was}. Repassez en direct et capturez une nouvelle image à {now}.',
  noSpacingWords: 'sans taille de pixel (px)',
};

/** Strings of the live view's overlay, confirm and centile states (spread into i18n.ts's dictionaries). */
export const liveEn = {
  previousFrame: 'previous frame',
  alreadySaved: 'This frame is already saved to the exam',
  noResultOnFrame: 'No AI result on this frame: choose another (Best frame)',
  centileLow: 'below the 3rd centile',
  centileHigh: 'above the 97th centile',
  aiOnly: 'AI only · not confirmed',
};

export const liveFr: Record<keyof typeof liveEn, string> = {
  previousFrame: 'image précédente',
  alreadySaved: "Cette image est déjà enregistrée dans l'examen",
  noResultOnFrame: 'Pas de résultat IA sur cette image : choisissez-en une autre (Meilleure image)',
  centileLow: 'sous le 3e centile',
  centileHigh: 'au-dessus du 97e centile',
  aiOnly: 'IA seule · non validé',
};

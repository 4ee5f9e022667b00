/** Strings of the growth page: English and French. */
import { translator } from '../../i18n';
import { type KeyOf, defineStrings } from '../../strings-table';

const strings = defineStrings({
  en: {
    choose: 'Choose a patient',
    searchPlaceholder: 'Name or patient ID',
    noMatch: 'No patient matches',
    noVisits: 'No visit of this patient has a confirmed HC and a dating GA yet',
    date: 'Visit',
    ga: 'GA',
    hc: 'HC plotted',
    from: 'From',
    aiHc: 'AI HC',
    state: 'State',
    decidedBy: 'Decided by',
    confirmed: 'confirmed capture',
    corrected: 'corrected capture',
    unverified: 'not confirmed: not plotted',
    none: 'no HC captured',
    notDated: 'not dated: not plotted',
    centile: 'Centile',
    patientId: 'ID',
    born: 'born',
  },
  fr: {
    choose: 'Choisissez une patiente',
    searchPlaceholder: 'Nom ou IPP',
    noMatch: 'Aucune patiente trouvée',
    noVisits: "Aucune visite de cette patiente n'a encore de PC validé et de terme de datation",
    date: 'Visite',
    ga: 'Terme',
    hc: 'PC tracé',
    from: 'Source',
    aiHc: 'PC IA',
    state: 'État',
    decidedBy: 'Décidé par',
    confirmed: 'capture validée',
    corrected: 'capture corrigée',
    unverified: 'non validé : non tracé',
    none: 'aucun PC capturé',
    notDated: 'sans datation : non tracé',
    centile: 'Centile',
    patientId: 'IPP',
    born: 'née le',
  },
});
export type GrowthKey = KeyOf<typeof strings>;
export const tg = translator(strings);

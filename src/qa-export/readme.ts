/** README.txt written into every QA export: the layout in words, for whoever opens the folder elsewhere. */
export const README_TEXT = `sonoedge QA / retraining export

manifest.json   the export (time, filters, counts) and one entry per image: ids, exam type, shifted exam date,
                dating GA, pixel size (mm), imaging region, model id/version/provider, the model's output as
                stored, the final outline (source: confirmed | clinician | value-only | undecided), the file
                names, per measurement the AI value beside the clinician's decision, second reading and
                adjudication, and "calipers": the clinician's own distances and areas on the frame (kind,
                n, points, value, unit, by). Caliper points are frame pixels [x, y] in the canvas corner
                convention: 0,0 is the top-left corner of the top-left pixel (pixel i, j has its centre at
                i+0.5, j+0.5); the image has the frame's size, so they fall on it as they are. "calipers" is []
                when the clinician measured nothing on the frame.
manifest.csv    one row per measurement with the same facts (HC18-style: image, pixel size, values), then one
                row per caliper: kind caliper-distance or caliper-area, its value in final_value and unit,
                who in final_by, its number in caliper_n, its points in caliper_points ("x y;x y;...").
withheld.json   images kept on the device: no imaging region set (SONO_REGION_NOT_SET), text read by the OCR
                (SONO_BURNED_IN_TEXT) or OCR not possible (SONO_OCR_FAILED). No pixels, no text read.
<type>/images/<item>.png        the frame, 8-bit gray, everything outside the imaging region zeroed.
<type>/masks/<item>_ai.png      the model's outline filled (fetal head: fitted ellipse; breast: lesion outline), 0/255.
<type>/masks/<item>_final.png   the outline the clinicians left, filled; absent when only values were corrected
                                or nothing was decided.

No names, patient ids, birth dates or record ids: patients carry the same keyed pseudonym as the PACS copy,
exams, items and clinicians keyed ids, dates are shifted per patient (or removed); the times of decisions
and calipers are left out. Cine clips are not exported: one captured frame per image.
`;

/** README.txt written into every QA export: the layout in words, for whoever opens the folder elsewhere. */
export const README_TEXT = `sonoedge QA / retraining export

manifest.json   the export (time, filters, counts) and one entry per image: ids, exam type, shifted exam date,
                dating GA, pixel size (mm), imaging region, model id/version/provider, the model's output as
                stored, the final outline (source: confirmed | clinician | value-only | undecided), the file
                names, per measurement the AI value beside the clinician's decision, second reading,
                adjudication and value of record ("record"), and "calipers": the clinician's own distances and areas on the frame (kind,
                n, points, value, unit, by). "calipers" is [] when the clinician measured nothing on the frame.
Coordinates     all in frame pixels (the image has the frame's size), in one of two conventions:
                corner: 0,0 is the top-left corner of the top-left pixel, pixel i, j has its centre at
                  i+0.5, j+0.5 (as the SR's SCOORDs). Used by "final" (ellipse, outline), each measurement's
                  final.geometry and the caliper points. A confirmed AI shape is there moved by +0.5; a
                  clinician's edit is as drawn.
                centre: whole numbers at pixel centres, pixel i, j at i, j. Used by "aiResult" and each
                  measurement's ai.geometry: the model's output as stored.
                So a confirmed final differs from the AI's by exactly +0.5 in x and y (positions only; axes,
                angles and values are the same).
manifest.csv    one row per measurement with the same facts (HC18-style: image, pixel size, values), then one
                row per caliper: kind caliper-distance or caliper-area, its value in final_value and unit,
                who in final_by, its number in caliper_n, its points in caliper_points ("x y;x y;...").
                final_* is the first decision as signed; record_value / record_text the value of record (the
                latest adjudication's, else the first decision's), second_read_open "yes" while a second
                reading disagrees and nobody adjudicated it (the record then keeps the last settled value).
Decisions       a head measurement (HC, BPD, OFD) corrected with final = AI value: the outline was moved or
                turned, not resized (its final.geometry is the clinician's ellipse).
withheld.json   images kept on the device: no imaging region set (SONO_REGION_NOT_SET), text read by the OCR
                (SONO_BURNED_IN_TEXT) or OCR not possible (SONO_OCR_FAILED). No pixels, no text read.
<type>/images/<item>.png        the frame, 8-bit gray, everything outside the imaging region zeroed.
<type>/masks/<item>_ai.png      the model's outline filled (fetal head: fitted ellipse; breast: lesion outline), 0/255.
<type>/masks/<item>_final.png   the outline the clinicians left, filled; absent when only values were corrected
                                or nothing was decided. In both masks a pixel is set when its centre lies inside
                                the shape (a confirmed final mask is the AI mask, pixel for pixel).

No names, patient ids, birth dates or record ids: patients carry the same keyed pseudonym as the PACS copy,
exams, items and clinicians keyed ids, dates are shifted per patient (or removed); the times of decisions
and calipers are left out. Cine clips are not exported: one captured frame per image.
`;

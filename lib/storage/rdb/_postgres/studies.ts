/**
 * The PostgreSQL adapter's study operations: create, delete, rename (under the study lock),
 * read and list studies and set their attributes. Private to the library.
 *
 * @module
 */
import { left, right } from "../../../effect/mod.ts";
import { duplicatedStudy, show, studyNotFound } from "../../../errors.ts";
import {
  decideNameFree,
  decideNewStudy,
  decideRename,
  decideStudyAttr,
  studyFound,
} from "../../study_writes.ts";
import type { StudyOps } from "../../storage.ts";
import { encodeDirection, encodeJson } from "../codec.ts";
import { STUDY_TABLES, TRIAL_CHILD_TABLES } from "../schema.ts";
import { type PgConnection, run, runTx } from "./connection.ts";
import { forgetStudy, FULL_STUDY, isId, json, lockStudy, studyExists, toStudy } from "./reads.ts";

/** The study operations on the pool. */
export function studyOps(c: PgConnection): StudyOps {
  return {
    createStudy: (args) =>
      runTx(c, "create the study", async (q, later) => {
        const decided = decideNewStudy(args);
        if (decided._tag === "Left") return decided;
        const w = decided.right;
        // the insert is the check: it writes nothing when the name is taken
        const inserted = await q(
          "INSERT INTO studies (study_name) VALUES ($1) ON CONFLICT (study_name) DO NOTHING RETURNING study_id",
          [w.studyName],
        );
        const row = inserted[0];
        if (row === undefined) return left(duplicatedStudy(w.studyName));
        const studyId = Number(row.study_id);
        await q(
          "INSERT INTO study_directions (direction, study_id, objective) SELECT (e #>> '{}')::studydirection, $1, (o - 1)::int FROM json_array_elements($2::json) WITH ORDINALITY AS x(e, o) ORDER BY o",
          [studyId, json(w.directions.map(encodeDirection))],
        );
        later(() => forgetStudy(c, studyId));
        return right({
          studyId,
          studyName: w.studyName,
          directions: [...w.directions],
          userAttrs: {},
          systemAttrs: {},
        });
      }),
    deleteStudy: (studyId) =>
      runTx(c, "delete the study", async (q, later) => {
        const found = studyFound(await lockStudy(q, studyId), studyId);
        if (found._tag === "Left") return found;
        const trialsOf = "SELECT trial_id FROM trials WHERE study_id = $1";
        for (const table of TRIAL_CHILD_TABLES) {
          await q(`DELETE FROM ${table} WHERE trial_id IN (${trialsOf})`, [studyId]);
        }
        for (const table of STUDY_TABLES) {
          await q(`DELETE FROM ${table} WHERE study_id = $1`, [studyId]);
        }
        later(() => forgetStudy(c, studyId));
        return right(undefined);
      }),
    renameStudy: (args) =>
      runTx(c, "rename the study", async (q) => {
        const studyId = args?.studyId;
        const name = decideRename(await lockStudy(q, studyId), args);
        if (name._tag === "Left") return name;
        const taken = (await q("SELECT study_id FROM studies WHERE study_name = $1", [name.right]))[
          0
        ];
        const free = decideNameFree(
          name.right,
          studyId,
          taken === undefined ? undefined : Number(taken.study_id),
        );
        if (free._tag === "Left") return free;
        await q("UPDATE studies SET study_name = $1 WHERE study_id = $2", [name.right, studyId]);
        const row = (await q(`${FULL_STUDY} WHERE s.study_id = $1`, [studyId]))[0];
        return row === undefined ? left(studyNotFound(`#${show(studyId)}`)) : right(toStudy(row));
      }),
    getStudy: (studyName) =>
      run(c, "get the study", async (q) => {
        const row = typeof studyName === "string"
          ? (await q(`${FULL_STUDY} WHERE s.study_name = $1`, [studyName]))[0]
          : undefined;
        return row === undefined ? left(studyNotFound(studyName)) : right(toStudy(row));
      }),
    getStudyById: (studyId) =>
      run(c, "get the study", async (q) => {
        const row = isId(studyId)
          ? (await q(`${FULL_STUDY} WHERE s.study_id = $1`, [studyId]))[0]
          : undefined;
        return row === undefined ? left(studyNotFound(`#${show(studyId)}`)) : right(toStudy(row));
      }),
    listStudies: () =>
      run(
        c,
        "list the studies",
        async (q) => right((await q(`${FULL_STUDY} ORDER BY s.study_id`)).map(toStudy)),
      ),
    setStudyAttr: (args) =>
      run(c, "set the study attribute", async (q) => {
        const found = isId(args?.id) && await studyExists(q, args.id);
        const decided = decideStudyAttr(found, args);
        if (decided._tag === "Left") return decided;
        const w = decided.right;
        const written = await q(
          `INSERT INTO study_${w.kind}_attributes (study_id, key, value_json) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM studies WHERE study_id = $1) ON CONFLICT (study_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1 AS ok`,
          [w.studyId, w.key, encodeJson(w.value)],
        );
        return studyFound(written.length > 0, w.studyId);
      }),
  };
}

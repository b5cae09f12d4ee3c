/**
 * The PostgreSQL adapter's study operations: create, delete, rename (under the study lock),
 * read and list studies and set their attributes. Private to the library.
 *
 * @module
 */
import { left, right } from "../../../effect/mod.ts";
import { duplicatedStudy, show, studyNotFound } from "../../../errors.ts";
import { checkAttrWrite, checkDirections, checkStudyName } from "../../rules.ts";
import type { Storage } from "../../storage.ts";
import { encodeDirection, encodeJson } from "../codec.ts";
import { STUDY_TABLES, TRIAL_CHILD_TABLES } from "../schema.ts";
import { type PgConnection, run, runTx } from "./connection.ts";
import { forgetStudy, FULL_STUDY, isId, json, lockStudy, studyExists, toStudy } from "./reads.ts";

/** The study operations of a {@link Storage}. */
export type StudyOps = Pick<
  Storage,
  | "createStudy"
  | "deleteStudy"
  | "renameStudy"
  | "getStudy"
  | "getStudyById"
  | "listStudies"
  | "setStudyAttr"
>;

/** The study operations on the pool. */
export function studyOps(c: PgConnection): StudyOps {
  return {
    createStudy: (args) =>
      runTx(c, "create the study", async (q, later) => {
        const name = checkStudyName(args?.studyName);
        if (name._tag === "Left") return name;
        const directions = checkDirections(args.directions);
        if (directions._tag === "Left") return directions;
        const inserted = await q(
          "INSERT INTO studies (study_name) VALUES ($1) ON CONFLICT (study_name) DO NOTHING RETURNING study_id",
          [name.right],
        );
        const row = inserted[0];
        if (row === undefined) return left(duplicatedStudy(name.right));
        const studyId = Number(row.study_id);
        await q(
          "INSERT INTO study_directions (direction, study_id, objective) SELECT (e #>> '{}')::studydirection, $1, (o - 1)::int FROM json_array_elements($2::json) WITH ORDINALITY AS x(e, o) ORDER BY o",
          [studyId, json(directions.right.map(encodeDirection))],
        );
        later(() => forgetStudy(c, studyId));
        return right({
          studyId,
          studyName: name.right,
          directions: [...directions.right],
          userAttrs: {},
          systemAttrs: {},
        });
      }),
    deleteStudy: (studyId) =>
      runTx(c, "delete the study", async (q, later) => {
        if (!(await lockStudy(q, studyId))) return left(studyNotFound(`#${show(studyId)}`));
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
        if (!(await lockStudy(q, studyId))) return left(studyNotFound(`#${show(studyId)}`));
        const name = checkStudyName(args.studyName);
        if (name._tag === "Left") return name;
        const taken = (await q("SELECT study_id FROM studies WHERE study_name = $1", [name.right]))[
          0
        ];
        if (taken !== undefined && Number(taken.study_id) !== studyId) {
          return left(duplicatedStudy(name.right));
        }
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
        if (!isId(args?.id) || !(await studyExists(q, args.id))) {
          return left(studyNotFound(`#${show(args?.id)}`));
        }
        const checked = checkAttrWrite(args);
        if (checked._tag === "Left") return checked;
        const kind = args.kind === "user" ? "user" : "system";
        const written = await q(
          `INSERT INTO study_${kind}_attributes (study_id, key, value_json) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM studies WHERE study_id = $1) ON CONFLICT (study_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1 AS ok`,
          [args.id, args.key, encodeJson(args.value)],
        );
        return written.length === 0 ? left(studyNotFound(`#${show(args.id)}`)) : right(undefined);
      }),
  };
}

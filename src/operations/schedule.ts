import { parseScheduleSpec, type ScheduleSpec } from '../schedule/spec.js';
import { type ScheduleTables, scheduleTables } from '../schedule/tables.js';
import { defineOperation } from './operation.js';

/** The float64 tables of a variance schedule (Ho et al. 2020, eq. 4 and 7), computed in src/schedule for all. */
export const schedule = defineOperation<ScheduleSpec, ScheduleTables>()({
  method: 'schedule',
  caseName: 'schedule',
  capability: 'schedule',
  fields: { spec: 'schedule spec' },
  argsFromFields: ({ spec }: { spec: ScheduleSpec }) => spec,
  validate: (spec: ScheduleSpec) => parseScheduleSpec(spec),
  compose: async (_k, spec) => scheduleTables(spec),
  results: ['betas', 'alphas', 'alphaBar'],
  caseOutputs: (s) => ({
    betas: Array.from(s.betas.subarray(1)),
    alphas: Array.from(s.alphas.subarray(1)),
    alphaBar: Array.from(s.alphaBar.subarray(1)),
  }),
  compare: { unsupported: 'the tables are float64 on every backend (src/schedule); the schedules group checks them' },
});

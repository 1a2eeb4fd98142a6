import type { Command } from '../command.js';
import { compareCommand } from './compare.js';
import { conformanceCommand } from './conformance.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { forwardCommand } from './forward.js';
import { nightlyCommand } from './nightly.js';
import { reportCommand } from './report.js';
import { sampleCommand } from './sample.js';
import { trainCommand } from './train.js';

/** Every diffspec command, in the order help lists them; a new command is one file and one line here. */
export const COMMANDS: readonly Command[] = [
  conformanceCommand,
  reportCommand,
  compareCommand,
  nightlyCommand,
  evalCommand,
  forwardCommand,
  trainCommand,
  sampleCommand,
  exportCommand,
];

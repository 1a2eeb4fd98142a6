// The built-in backends: importing this module registers each of them.
import './cpu/index.js';
import './tfjs/index.js';
import './gpujs/index.js';
import './ort/index.js';

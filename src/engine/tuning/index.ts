/**
 * Genetic hyper-parameter tuning of network nodes: the
 * public entry of engine/tuning, used by the engine service.
 */
export { runTuning, trainTrial, type TuningHost } from './tuner';
export { tuningState, trialParams, topTrials, TOP_COUNT } from './state';
export { SearchSpaceError } from './space';

export { Mixer, type MixerOptions } from './mixer';
export { MixedPredictor, type MixState, type Contributions } from './mixedPredictor';
export { MatchModel, type MatchState } from './matchModel';

// The augmentation every input-pipeline variant applies (the Python ones spell the same values in Keras' names).
import type { AugmentOptions } from '../../src';

export const AUGMENT: AugmentOptions = { rotationRange: 20, widthShiftRange: 0.1, heightShiftRange: 0.1, shearRange: 10, zoomRange: 0.2, horizontalFlip: true, fillMode: 'nearest' };

// The file types read as images, by extension (the index and `cxrlab predict` list folders with it), and
// the ways a non-square image is made square. Constants only, no imports: the config schema reads them.
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.dcm']);

/** `centre`: scaled until the shorter side fits, then the centred square is kept (the edges of the longer
 * side are cut); `pad`: scaled until the longer side fits, the whole film kept, letterboxed onto black. */
export const CROP_POLICIES = ['centre', 'pad'] as const;
export type CropPolicy = (typeof CROP_POLICIES)[number];
/** The crop policy when none is given. */
export const DEFAULT_CROP: CropPolicy = 'centre';

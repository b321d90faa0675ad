/** The CT windows every part of the product offers: one list. */

/** CT display windows in HU (centre, width), as Radiopaedia lists them: Window Setting's presets and the View tab's. */
export const WINDOW_PRESETS = {
  lung: { center: -600, width: 1500 },
  mediastinum: { center: 50, width: 350 },
  bone: { center: 400, width: 1800 },
  brain: { center: 40, width: 80 },
  abdomen: { center: 50, width: 400 },
  liver: { center: 30, width: 150 },
} as const;

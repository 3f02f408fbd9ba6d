// A plotly figure as plain data: what src/ builds, and what notebooks and artifact writers render.
export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
}

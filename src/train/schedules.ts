// Learning-rate schedules as functions of the epoch (0-based): constant, step decay, cosine decay.
export type ScheduleOptions =
  | { kind: 'constant' }
  | { kind: 'step'; /** Epochs between decays. */ every: number; /** Multiplier per decay. */ factor: number }
  | { kind: 'cosine'; /** Rate reached at the last epoch. */ minLr: number };

export function makeSchedule(schedule: ScheduleOptions, learningRate: number, epochs: number): (epoch: number) => number {
  switch (schedule.kind) {
    case 'constant':
      return () => learningRate;
    case 'step':
      return (epoch) => learningRate * schedule.factor ** Math.floor(epoch / schedule.every);
    case 'cosine':
      return (epoch) => {
        const t = epochs > 1 ? epoch / (epochs - 1) : 1;
        return schedule.minLr + 0.5 * (learningRate - schedule.minLr) * (1 + Math.cos(Math.PI * t));
      };
  }
}

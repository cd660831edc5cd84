/**
 * Task size rules of RegisterTaskDefinition: `cpu` in CPU units or vCPU ("1024", "1 vCPU"), `memory` in MiB or
 * GB ("2048", "2 GB"), stored as integer strings; and the CPU/memory pairs Fargate supports
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
 */

/** Fargate memory ranges (MiB) per task CPU (units) above 256, from the documented table. */
const FARGATE_SIZES: Record<number, { min: number; max: number; step: number }> = {
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 }
};

/** True when (cpu units, memory MiB) is a task size Fargate supports (256 CPU: 512, 1024 or 2048 MiB). */
export function fargateSizeSupported(cpu: number, memory: number): boolean {
  if (cpu === 256) return memory === 512 || memory === 1024 || memory === 2048;
  const row = FARGATE_SIZES[cpu];
  if (!row) return false;
  return memory >= row.min && memory <= row.max && (memory - row.min) % row.step === 0;
}

/**
 * Parses a task-level `cpu` value: CPU units ("256") or vCPUs ("0.25 vCPU", "1 vcpu").
 * @returns CPU units, or undefined when the text is neither.
 */
export function parseCpu(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const vcpu = /^(\d+(?:\.\d+)?)\s*vcpu$/i.exec(text);
  return vcpu ? Math.round(Number(vcpu[1]) * 1024) : undefined;
}

/**
 * Parses a task-level `memory` value: MiB ("512") or GB ("1 GB", "2GB").
 * @returns MiB, or undefined when the text is neither.
 */
export function parseMemory(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const gb = /^(\d+(?:\.\d+)?)\s*gb$/i.exec(text);
  return gb ? Math.round(Number(gb[1]) * 1024) : undefined;
}

// The confusion matrix as a PNG (an SVG drawn by us, rasterised by sharp): the static preview MLflow's
// artifact view and the model card show. Same colours and numbers as the interactive figure.
import sharp from 'sharp';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

export function confusionSvg(matrix: readonly (readonly number[])[], classNames: readonly string[], title = 'Confusion matrix'): string {
  const k = classNames.length;
  const cell = 110;
  const left = 120;
  const top = 70;
  const width = left + k * cell + 30;
  const height = top + k * cell + 60;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="18">${esc(title)}</text>`,
    `<text x="${left + (k * cell) / 2}" y="${top + k * cell + 45}" text-anchor="middle" font-size="14">predicted</text>`,
    `<text x="22" y="${top + (k * cell) / 2}" text-anchor="middle" font-size="14" transform="rotate(-90 22 ${top + (k * cell) / 2})">true</text>`,
  ];
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    parts.push(`<text x="${left - 8}" y="${top + i * cell + cell / 2 + 5}" text-anchor="end" font-size="13">${esc(classNames[i] ?? '')}</text>`);
    row.forEach((v, j) => {
      const share = total ? v / total : 0;
      const shade = Math.round(255 - share * 190);
      const fill = `rgb(${shade},${Math.round(255 - share * 120)},255)`;
      const ink = share > 0.55 ? 'white' : 'black';
      const [x, y] = [left + j * cell, top + i * cell];
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="white"/>`);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" font-size="20" fill="${ink}">${v}</text>`);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 22}" text-anchor="middle" font-size="13" fill="${ink}">${(share * 100).toFixed(0)}%</text>`);
    });
  });
  classNames.forEach((c, j) => parts.push(`<text x="${left + j * cell + cell / 2}" y="${top - 10}" text-anchor="middle" font-size="13">${esc(c)}</text>`));
  parts.push('</svg>');
  return parts.join('\n');
}

export function confusionPng(matrix: readonly (readonly number[])[], classNames: readonly string[], title?: string): Promise<Buffer> {
  return sharp(Buffer.from(confusionSvg(matrix, classNames, title))).png().toBuffer();
}

// The service's upload page: choose an X-ray, see the predicted class, the probabilities, the latency
// and the Grad-CAM overlay. Self-contained (no external scripts or styles).
export function uploadPage(modelName: string): string {
  const title = `cxrlab: ${modelName.replace(/[<>&"]/g, '')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
 body { font: 15px system-ui, sans-serif; margin: 2rem auto; max-width: 760px; color: #222; }
 .row { display: flex; gap: 1.5rem; align-items: flex-start; margin-top: 1rem; }
 img { width: 300px; height: 300px; object-fit: contain; background: #000; }
 table { border-collapse: collapse; } td { padding: 2px 10px; } .bar { background: #4a7bd0; height: 10px; }
 #error { color: #b00020; } .note { color: #666; font-size: 13px; }
</style></head>
<body>
<h1>${title}</h1>
<p class="note">Research use only: this is not a diagnostic device.</p>
<input id="file" type="file" accept="image/*,.dcm">
<p id="status"></p><p id="error"></p>
<div class="row" id="result" hidden>
  <div><img id="original" alt="uploaded image"><br>uploaded</div>
  <div><img id="gradcam" alt="Grad-CAM"><br>Grad-CAM for the predicted class</div>
</div>
<table id="probs"></table>
<script>
const $ = (id) => document.getElementById(id);
$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  if (!file) return;
  $('error').textContent = ''; $('status').textContent = 'predicting…'; $('result').hidden = true; $('probs').innerHTML = '';
  const res = await fetch('predict?gradcam=1', { method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
  const body = await res.json();
  if (!res.ok) { $('status').textContent = ''; $('error').textContent = body.error; return; }
  $('status').textContent = 'class: ' + body.class + ' (' + body.latencyMs.toFixed(0) + ' ms)';
  $('original').src = URL.createObjectURL(file);
  $('gradcam').src = 'data:image/png;base64,' + body.gradcam;
  $('result').hidden = false;
  for (const [name, p] of Object.entries(body.probabilities)) {
    const row = document.createElement('tr');
    row.innerHTML = '<td>' + name + '</td><td>' + p.toFixed(3) + '</td><td><div class="bar" style="width:' + (200 * p).toFixed(0) + 'px"></div></td>';
    $('probs').appendChild(row);
  }
});
</script>
</body></html>
`;
}

// Renders /openapi/v1.json as plain HTML: each path and method, its summary, parameters, body examples and answers.
// Text is inserted with textContent only, so nothing in the document can become markup.
(async () => {
  const root = document.getElementById('api');
  const doc = await (await fetch('/openapi/v1.json')).json();
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; };
  if (doc.info && doc.info.description) root.append(el('pre', doc.info.description));
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (typeof op !== 'object' || !op.responses) continue;
      const s = el('section');
      const h = el('h2'); h.append(el('span', method.toUpperCase(), 'method'), document.createTextNode(' ' + path)); s.append(h);
      if (op.summary) s.append(el('p', op.summary));
      if (op.description) s.append(el('p', op.description));
      const params = (op.parameters || []).map(p => `${p.name} (${p.in}${p.required ? ', bắt buộc' : ''})${p.description ? ': ' + p.description : ''}`);
      if (params.length) { const ul = el('ul'); params.forEach(t => ul.append(el('li', t))); s.append(el('h3', 'Tham số'), ul); }
      for (const [type, media] of Object.entries((op.requestBody && op.requestBody.content) || {})) {
        s.append(el('h3', 'Nội dung gửi: ' + type));
        if (media.example !== undefined) s.append(el('pre', typeof media.example === 'string' ? media.example : JSON.stringify(media.example, null, 2)));
      }
      const answers = Object.entries(op.responses).map(([code, r]) => `${code} ${r.description || ''}`);
      const ul = el('ul'); answers.forEach(t => ul.append(el('li', t))); s.append(el('h3', 'Trả lời'), ul);
      root.append(s);
    }
  }
})();

// The MSI domain's web view: polls api/state and renders the providers, the devices and a heat map of
// interrupt rates (rows: irqs, columns: CPUs). The server measures the rates over its own 500 ms window, so
// they do not depend on when the browser runs its timers.
'use strict';
(function () {
  const POLL_MS = 500;
  const status = document.getElementById('status');
  const heatmap = document.getElementById('heatmap');
  let polls = 0;

  function esc(value) {
    return String(value).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  // Logarithmic over DECADES below the fastest cell now: blue (that much slower, or slower still) to red (the
  // fastest); null for a cell that saw nothing, which keeps the map's grey.
  const DECADES = 3;
  function heatColour(rate, max) {
    if (!(rate > 0) || !(max > 0)) {
      return null;
    }
    const t = Math.max(0, Math.min(1, 1 + Math.log10(rate / max) / DECADES));
    return 'hsl(' + Math.round(220 * (1 - t)) + ', 90%, 50%)';
  }

  function formatRate(rate) {
    if (rate >= 1e6) return (rate / 1e6).toFixed(1) + 'M';
    if (rate >= 1e3) return (rate / 1e3).toFixed(1) + 'k';
    return rate >= 10 || rate === 0 ? String(Math.round(rate)) : rate.toFixed(1);
  }

  function renderProviders(providers) {
    document.querySelector('#providers tbody').innerHTML = providers.map(p =>
      '<tr class="' + (p.bound ? 'bound' : 'unbound') + '">' +
      '<td class="num">' + esc(p.bundleId) + '</td><td class="name">' + esc(p.symbolicName) + '</td>' +
      '<td>' + esc(p.version) + '</td><td>' + esc(p.types.join(',') || '-') + '</td>' +
      '<td><span class="state ' + (p.state === 'active' ? 'ok' : 'warn') + '">' + esc(p.state) + '</span></td>' +
      '<td class="num">' + esc(p.devices) + '</td><td class="num">' + esc(p.vectors) + '</td></tr>').join('') ||
      '<tr><td colspan="7">No providers bound.</td></tr>';
  }

  function renderDevices(devices) {
    document.querySelector('#devices tbody').innerHTML = devices.map(d =>
      '<tr title="' + esc(d.reason) + '"><td class="name">' + esc(d.id) + '</td><td>' + esc(d.type || '-') + '</td>' +
      '<td><span class="state ' + (d.state === 'BOUND' ? 'ok' : 'warn') + '">' + esc(d.state) + '</span></td>' +
      '<td>' + esc(d.provider || '-') + '</td><td class="num">' + esc(d.vectors) + '</td></tr>').join('') ||
      '<tr><td colspan="5">No MSI-capable devices.</td></tr>';
  }

  function renderHeatmap(state) {
    let max = 0;
    state.irqs.forEach(irq => (irq.rates || []).forEach(v => { max = Math.max(max, v); }));
    let head = '<tr><th>irq</th>';
    for (let cpu = 0; cpu < state.cpus; cpu++) {
      head += '<th class="cpu">CPU' + cpu + '</th>';
    }
    heatmap.tHead.innerHTML = head + '<th class="label">device/index</th></tr>';
    heatmap.tBodies[0].innerHTML = state.irqs.map(irq => {
      const r = irq.rates;
      let row = '<tr><th>' + irq.irq + '</th>';
      for (let cpu = 0; cpu < state.cpus; cpu++) {
        const rate = r && r[cpu] != null ? r[cpu] : null;
        const colour = rate === null ? null : heatColour(rate, max);
        row += '<td class="cell' + (rate === null ? ' unknown' : rate > 0 ? ' hot' : '') + '" data-irq="' + irq.irq +
          '" data-cpu="' + cpu + '" data-rate="' + (rate === null ? '' : Math.round(rate)) + '"' +
          (colour ? ' style="background:' + colour + '"' : '') +
          ' title="irq ' + irq.irq + ' CPU' + cpu + ': ' + (rate === null ? '?' : formatRate(rate)) + '/s, ' +
          (irq.counts[cpu] || 0) + ' in all"></td>';
      }
      return row + '<td class="label">' + esc(irq.device + '/' + irq.index) + (irq.masked ? ' (masked)' : '') +
        (irq.cpu >= 0 ? ' &rarr; CPU' + irq.cpu : '') + '</td></tr>';
    }).join('');
    document.getElementById('heat-empty').hidden = state.irqs.length > 0;
    document.getElementById('legend-low').textContent = max > 0 ? '\u2264 ' + formatRate(max / Math.pow(10, DECADES)) + '/s' : '';
    document.getElementById('legend-high').textContent = max > 0 ? formatRate(max) + '/s' : '';
    // where the map is on the screen, for a screenshot check
    const box = heatmap.tBodies[0].getBoundingClientRect();
    heatmap.dataset.rect = [box.left + window.scrollX, box.top + window.scrollY, box.width, box.height].map(Math.round).join(',');
  }

  function render(state) {
    renderProviders(state.providers);
    renderDevices(state.devices);
    renderHeatmap(state);
    let total = 0;
    state.irqs.forEach(irq => (irq.rates || []).forEach(v => { total += v; }));
    polls++;
    status.dataset.polls = polls;
    status.className = 'live';
    status.textContent = 'live \u00b7 ' + new Date().toLocaleTimeString() + ' \u00b7 ' + state.cpus + ' CPUs \u00b7 ' +
      state.irqs.length + ' irqs \u00b7 ' + formatRate(total) + ' interrupts/s' +
      (state.rateWindow > 0 ? ' over ' + Math.round(state.rateWindow) + ' ms' : '');
  }

  function poll() {
    fetch('api/state', { cache: 'no-store' })
      .then(response => {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json();
      })
      .then(render)
      .catch(e => {
        status.className = 'error';
        status.textContent = 'disconnected: ' + e.message;
      })
      .finally(() => setTimeout(poll, POLL_MS));
  }

  poll();
})();

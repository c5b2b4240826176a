// "Check your email" page: once the person's account is associated (in another tab or on another device),
// carry on with the interrupted sign-in. Without JavaScript, the page's "Continue" link does the same.
(function () {
  var root = document.querySelector('[data-association-status]');
  if (!root) return;
  var url = root.getAttribute('data-association-status');
  var next = root.getAttribute('data-continue');
  function check() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) {
        // A refused status (the sign-in expired, for instance): go to the page, which explains.
        if (response.status >= 400 && response.status < 500) return { ready: true };
        return response.ok ? response.json() : { ready: false };
      })
      .then(function (status) {
        if (status.ready) window.location.assign(next);
        else window.setTimeout(check, 3000);
      })
      .catch(function () { window.setTimeout(check, 10000); });
  }
  window.setTimeout(check, 3000);
})();

// The resend cooldown counts down in the page's language: the server gives the sentence once per plural category,
// with "#" for the number. At zero the sentence goes, and "Send the email again" is no longer described by it.
(function () {
  var lang = document.documentElement.lang || 'en';
  var rules = new Intl.PluralRules(lang);
  var numbers = new Intl.NumberFormat(lang);
  var started = Date.now();
  var counters = Array.prototype.map.call(document.querySelectorAll('[data-countdown][data-templates]'), function (el) {
    return { el: el, seconds: Number(el.getAttribute('data-countdown')), templates: JSON.parse(el.getAttribute('data-templates')) };
  });
  if (!counters.length) return;
  function tick() {
    var elapsed = Math.floor((Date.now() - started) / 1000);
    var running = 0;
    counters.forEach(function (c) {
      if (!c.el.isConnected) return;
      var left = c.seconds - elapsed;
      if (left <= 0) {
        var described = document.querySelector('[aria-describedby="' + c.el.id + '"]');
        if (c.el.id && described) described.removeAttribute('aria-describedby');
        c.el.remove();
        return;
      }
      running++;
      var template = c.templates[rules.select(left)] || c.templates.other;
      if (template) c.el.textContent = template.replace('#', numbers.format(left));
    });
    if (running) window.setTimeout(tick, 1000 - ((Date.now() - started) % 1000));
  }
  tick();
})();

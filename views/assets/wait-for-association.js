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

// Notifications on this browser. Turning them on: only when the person presses the button,
// never on page load — registers the service worker, asks the browser for a push subscription
// made with the server's public key, and sends it with the form (which carries the CSRF token).
// Signing out turns them off here: the subscription is dropped by the browser and its endpoint
// goes with the sign-out form, so the server forgets it too.
'use strict';

(function () {
  const form = document.querySelector('form[action="/sign-out"]');
  if (!form || !('serviceWorker' in navigator)) return;
  form.addEventListener('submit', async (event) => {
    if (form.dataset.ready === 'yes') return;
    event.preventDefault();
    // A second press while the first is under way changes nothing.
    if (form.dataset.pending === 'yes') return;
    form.dataset.pending = 'yes';
    const done = () => {
      form.dataset.ready = 'yes';
      form.submit();
    };
    // Signing out never waits long on the browser's push service.
    const timer = setTimeout(done, 3000);
    try {
      const registration = await navigator.serviceWorker.getRegistration('/');
      const subscription = registration && (await registration.pushManager.getSubscription());
      // Too late to tell the server: the browser keeps its subscription, as the server does.
      if (subscription && form.dataset.ready !== 'yes') {
        const field = document.createElement('input');
        field.type = 'hidden';
        field.name = 'push_endpoint';
        field.value = subscription.endpoint;
        form.appendChild(field);
        await subscription.unsubscribe();
      }
    } catch (err) {
      // The server still ends the session; the subscription stays listed in settings.
    }
    clearTimeout(timer);
    if (form.dataset.ready !== 'yes') done();
  });
})();

(function () {
  const form = document.querySelector('form[action="/push/subscriptions"]');
  if (!form) return;
  const status = document.createElement('p');
  status.setAttribute('role', 'status');
  form.insertBefore(status, form.querySelector('button'));
  const say = (text) => {
    status.textContent = text;
  };
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  if (!supported) {
    say('This browser cannot show notifications from PropLink.');
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    return;
  }
  const decode = (b64) => {
    const padded = (b64 + '='.repeat((4 - (b64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const encode = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const sameKey = (a, b) => a && b && a.byteLength === b.byteLength && new Uint8Array(a).every((x, i) => x === b[i]);

  form.addEventListener('submit', async (event) => {
    if (form.dataset.ready === 'yes') return;
    event.preventDefault();
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        say('Notifications are blocked for this site in your browser settings.');
        return;
      }
      const key = decode(form.elements.key.value);
      const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      // A subscription made with an older key of the server's is replaced.
      if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }
      form.elements.endpoint.value = subscription.endpoint;
      form.elements.p256dh.value = encode(subscription.getKey('p256dh'));
      form.elements.auth.value = encode(subscription.getKey('auth'));
      form.dataset.ready = 'yes';
      form.submit();
    } catch (err) {
      say(`Notifications could not be turned on: ${err && err.message ? err.message : err}`);
    }
  });
})();

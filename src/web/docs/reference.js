/* global window, SwaggerUIBundle */
// The document comes from the same origin, so "Try it out" calls this very deployment.
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  tryItOutEnabled: true,
  displayRequestDuration: true,
});

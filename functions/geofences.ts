import { lambda } from '../shared/http/lambda.js';
import {
  createGeofence,
  deleteGeofence,
  geofenceView,
  listGeofences,
  loadGeofence,
  lookupGeofences,
  updateGeofence,
} from '../shared/services/geo.js';

export const handler = lambda('geofences', {
  createGeofence: async ({ principal, body }) => ({ status: 201, body: await createGeofence(principal, body) }),
  listGeofences: async ({ principal, query }) => ({ body: await listGeofences(principal, query) }),
  lookupGeofences: async ({ principal, query }) => ({ body: await lookupGeofences(principal, query.lat, query.lng) }),
  getGeofence: async ({ principal, params }) => ({ body: geofenceView(await loadGeofence(principal, params.id)) }),
  replaceGeofence: async ({ principal, params, body }) => ({ body: await updateGeofence(principal, params.id, body, 'replace') }),
  updateGeofence: async ({ principal, params, body }) => ({ body: await updateGeofence(principal, params.id, body, 'merge') }),
  deleteGeofence: async ({ principal, params }) => {
    await deleteGeofence(principal, params.id);
    return { status: 204 };
  },
});

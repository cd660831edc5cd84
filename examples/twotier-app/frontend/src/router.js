import { createRouter, createWebHistory } from 'vue-router';
import HomeView from './views/HomeView.vue';

/** The two routes of the SPA. History mode: CloudFront serves index.html for deep links like /about. */
export const routes = [
  { path: '/', name: 'home', component: HomeView },
  { path: '/about', name: 'about', component: () => import('./views/AboutView.vue') },
  { path: '/:pathMatch(.*)*', redirect: '/' }
];

/** Build the router; tests pass createMemoryHistory() instead of the browser history. */
export function createAppRouter(history = createWebHistory(import.meta.env.BASE_URL)) {
  return createRouter({ history, routes });
}

// Svelte 5 compiles `<script lang="ts">` natively (type-only syntax); no preprocessor needed.
export default {};

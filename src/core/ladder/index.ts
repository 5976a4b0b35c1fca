/** The registration ladder (sequence diagram) of a flow: model, windowing and SVG drawing. */
export * from './model';
export * from './svg';

/**
 * The d2l LeNet chapter's exercises as one-click setups: each is a share
 * link's keys applied to the book's LeNet, so what the app sets up is exactly
 * what `npm run train -- <keys>` measured (README, "The chapter's exercises").
 */
import { decode } from './codec';
import type { Config } from './params';

export interface Exercise {
  /** As the book numbers it: "1", "2a"… */
  id: string;
  title: string;
  /** The book's question, in a sentence. */
  question: string;
  /** Keys on top of the book's LeNet, as a share link writes them. */
  keys: string;
  /** Test accuracy after 10 epochs of `npm run train -- <keys>` (all the dataset's training images); null where nothing is trained. */
  measured: number | null;
  /** What the measured number means, where it needs saying. */
  note?: string;
  /** Exercise 4 is answered by looking, in Feature maps. */
  opensFeatureMaps?: boolean;
}

/** The book's LeNet in the same runs: `npm run train` with no keys. */
export const BOOK_TEST_ACCURACY = 0.824;

export const EXERCISES: readonly Exercise[] = [
  {
    id: '1', title: 'Max pooling', keys: 'pool=max', measured: 0.841,
    question: 'Replace average pooling with max pooling. What happens?',
  },
  {
    id: '2a', title: '3×3 kernels', keys: 'arch=c6k3p1-pool2-c16k3-pool2-d120-d84', measured: 0.820,
    question: 'Adjust the convolution window size: does a smaller window see enough?',
  },
  {
    id: '2b', title: 'More channels', keys: 'arch=c16k5p2-pool2-c32k5-pool2-d120-d84', measured: 0.826,
    question: 'Adjust the number of output channels: what do more channels buy?',
  },
  {
    id: '2c', title: 'ReLU', keys: 'lr=0.1&activation=relu', measured: 0.863,
    question: 'Adjust the activation function: ReLU instead of sigmoid (with a smaller learning rate, 0.1).',
  },
  {
    id: '2d', title: 'A third convolution', keys: 'arch=c6k5p2-pool2-c16k5-pool2-c32k3p1-d120-d84', measured: 0.100,
    question: 'Adjust the number of convolution layers: add a third one.',
    note: 'Chance level: with sigmoids the deeper network does not leave its plateau in 10 epochs at lr 0.9. With ReLU at lr 0.1 it reaches 0.865.',
  },
  {
    id: '2e', title: 'One dense layer fewer', keys: 'arch=c6k5p2-pool2-c16k5-pool2-d120', measured: 0.844,
    question: 'Adjust the number of fully connected layers: drop one.',
  },
  {
    id: '2f', title: 'Learning rate 0.1', keys: 'lr=0.1', measured: 0.580,
    question: 'Adjust the learning rates and other training details (e.g. initialization and number of epochs).',
    note: 'A ninth of the book\'s step: after 10 epochs the sigmoid network has only begun to learn.',
  },
  {
    id: '3', title: 'MNIST', keys: 'preset=modern&dataset=mnist', measured: 0.976,
    question: 'Try out the improved network on the original MNIST dataset.',
    note: 'The improved network is the Modern preset. The book\'s sigmoid LeNet stays at chance (0.099) on these 8,499 digits: about 330 steps are too few to leave its plateau.',
  },
  {
    id: '4', title: 'Activations of a pullover and a coat', keys: '', measured: null, opensFeatureMaps: true,
    question: 'Display the activations of the first and second layer of LeNet for different inputs (e.g., sweaters and coats).',
  },
];

/** The exercise's settings; where it runs and on how many images stay as the learner chose. */
export function exerciseConfig(exercise: Exercise, current: Config): Config {
  const { config } = decode(exercise.keys);
  return { ...config, backend: current.backend, kernels: current.kernels, train: current.train, test: current.test };
}

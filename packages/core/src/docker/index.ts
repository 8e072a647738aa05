export {
  type DockerMount,
  DockerRestoreError,
  DockerVolumeInUseError,
  type DockerVolumeRestoreOptions,
  type DockerVolumeRestoreResult,
  oneOffContainerArgs,
  restoreIntoDockerVolume,
} from './volume-restore.js';
